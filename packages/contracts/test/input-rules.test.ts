import { describe, expect, it } from "vitest";
import { boundedText } from "../src/bounded-text";
import { checkedIri, cleanText, iri, unstorableTextAt } from "../src/input-rules";

describe("unstorableTextAt", () => {
  it("points at U+0000 and lone surrogates anywhere, member names included", () => {
    expect(unstorableTextAt({ activity: { object: "\u0000" } })).toBe("/activity/object");
    expect(unstorableTextAt({ audience: { inboxes: ["https://a.example/", "https://b.example/\ud800"] } })).toBe("/audience/inboxes/1");
    expect(unstorableTextAt({ "a/b~c": { "\udc00": 1 } })).toBe("/a~1b~0c/\udc00");
    expect(unstorableTextAt("\u0000")).toBe("/");
  });

  it("lets free text keep line feeds, tabs and surrogate pairs", () => {
    expect(unstorableTextAt({ content: "line\nnext\ttab 😀", n: 1, ok: true, none: null })).toBeNull();
  });
});

describe("IRIs and names", () => {
  it("refuse control characters and lone surrogates the URL parser would silently drop", () => {
    for (const value of ["https://a.example/key\n", "https://a.example/k\tey", "https://a.example/\u0000", "https://a.example/\ud800", "\u001fhttps://a.example/"]) {
      expect(checkedIri.safeParse(value).success, JSON.stringify(value)).toBe(false);
    }
    expect(cleanText(64).safeParse("Cre\u0000ate").success).toBe(false);
    expect(cleanText(64).safeParse("Create").success).toBe(true);
  });

  it("keep the form they were checked in", () => {
    expect(iri.parse("HTTPS://Bücher.Example:443/u/Anna")).toBe("https://xn--bcher-kva.example/u/Anna");
    expect(checkedIri.parse("HTTPS://Bücher.Example:443/u/Anna")).toBe("HTTPS://Bücher.Example:443/u/Anna");
  });
});

describe("boundedText", () => {
  it("keeps short text and cuts long text on a character boundary", () => {
    expect(boundedText("short")).toBe("short");
    const cut = boundedText("😀".repeat(200), 10);
    expect(cut).toBe("😀…");
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10);
  });
});

import { describe, expect, it } from "vitest";
import { UnresolvableActor, deliveryInboxOf, inboxesOf } from "../src/actor-document";

const actor = "https://b.example/users/bob";

describe("inboxesOf", () => {
  it("reads the inbox and the shared inbox, normalised", () => {
    const inboxes = inboxesOf(actor, {
      id: actor,
      inbox: "https://B.example/users/bob/inbox",
      endpoints: { sharedInbox: "https://b.example/inbox" },
    });
    expect(inboxes).toEqual({ inbox: "https://b.example/users/bob/inbox", sharedInbox: "https://b.example/inbox" });
    expect(deliveryInboxOf(inboxes)).toBe("https://b.example/inbox");
    expect(deliveryInboxOf(inboxesOf(actor, { inbox: "https://b.example/users/bob/inbox" }))).toBe("https://b.example/users/bob/inbox");
  });

  it("refuses documents without an inbox, with unusable URLs, or that speak for another host", () => {
    const reason = (document: unknown) => {
      try {
        inboxesOf(actor, document);
      } catch (error) {
        if (error instanceof UnresolvableActor) return error.reason;
        throw error;
      }
      return "accepted";
    };
    expect(reason([])).toContain("not a JSON object");
    expect(reason({ id: actor })).toContain("no inbox");
    expect(reason({ inbox: "ftp://b.example/inbox" })).toContain("not an http(s) URL");
    expect(reason({ id: "https://evil.example/users/bob", inbox: "https://evil.example/inbox" })).toContain("another host");
  });
});

import { describe, expect, it } from "vitest";
import { compareTargets, foldByHost, mergeTargets, sortTargets, type Target } from "../src/fold-inboxes";

async function* stream(targets: Target[]) {
  for (const target of targets) yield target;
}
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
const t = (host: string, inbox: string): Target => ({ host, inbox: `https://${host}${inbox}` });

describe("folding targets into per-host messages", () => {
  it("merges followers with explicit inboxes, without repeats, in order", async () => {
    const followers = [t("a.example", "/inbox"), t("b.example", "/u/1/inbox"), t("b.example", "/u/2/inbox")];
    const explicit = sortTargets([
      t("b.example", "/u/2/inbox"),
      t("a.example", "/inbox"),
      t("c.example", "/inbox"),
      t("0.example", "/inbox"),
    ]);
    const merged = await collect(mergeTargets(stream(followers), explicit));
    expect(merged.map((x) => x.inbox)).toEqual([
      "https://0.example/inbox",
      "https://a.example/inbox",
      "https://b.example/u/1/inbox",
      "https://b.example/u/2/inbox",
      "https://c.example/inbox",
    ]);
    for (let i = 1; i < merged.length; i += 1) expect(compareTargets(merged[i - 1]!, merged[i]!)).toBeLessThan(0);
  });

  it("gives each host one message, splitting hosts with many personal inboxes", async () => {
    const targets = [
      t("a.example", "/inbox"),
      ...Array.from({ length: 5 }, (_, i) => t("b.example", `/u/${i}/inbox`)),
      t("c.example", "/inbox"),
    ];
    const batches = await collect(foldByHost(stream(targets), 2));
    expect(batches.map((b) => [b.host, b.inboxes.length])).toEqual([
      ["a.example", 1],
      ["b.example", 2],
      ["b.example", 2],
      ["b.example", 1],
      ["c.example", 1],
    ]);
  });
});

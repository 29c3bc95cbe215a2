import { describe, expect, it } from "vitest";
import { AudienceMerge, HostFolder, compareTargets, sortTargets, type HostBatch, type Target } from "../src/fold-inboxes";

const t = (host: string, path: string): Target => ({ host, inbox: `https://${host}${path}` });

/** Runs the merge over follower pages and folds the result, as a fan-out does. */
function fold(pages: Target[][], explicit: Target[], maxInboxes: number): HostBatch[] {
  const merge = new AudienceMerge(sortTargets(explicit));
  const folder = new HostFolder(maxInboxes);
  const batches: HostBatch[] = [];
  const add = (target: Target) => {
    const batch = folder.add(target);
    if (batch) batches.push(batch);
  };
  for (const page of pages) merge.page(page, add);
  merge.rest(add);
  const last = folder.finish();
  if (last) batches.push(last);
  return batches;
}

describe("merging the audience", () => {
  it("merges follower pages with explicit inboxes, without repeats, in order", () => {
    const followers = [[t("a.example", "/inbox"), t("b.example", "/u/1/inbox")], [t("b.example", "/u/2/inbox")]];
    const explicit = [t("b.example", "/u/2/inbox"), t("a.example", "/inbox"), t("c.example", "/inbox"), t("0.example", "/inbox")];
    const merged: Target[] = [];
    const merge = new AudienceMerge(sortTargets(explicit));
    for (const page of followers) merge.page(page, (target) => merged.push(target));
    merge.rest((target) => merged.push(target));
    expect(merged.map((x) => x.inbox)).toEqual([
      "https://0.example/inbox",
      "https://a.example/inbox",
      "https://b.example/u/1/inbox",
      "https://b.example/u/2/inbox",
      "https://c.example/inbox",
    ]);
    for (let i = 1; i < merged.length; i += 1) expect(compareTargets(merged[i - 1]!, merged[i]!)).toBeLessThan(0);
  });

  it("orders hosts and inboxes by code unit, as PostgreSQL's C collation does", () => {
    const sorted = sortTargets([t("b.example", "/Z"), t("B.example", "/a"), t("b.example", "/a"), t("b.example", "/a")]);
    expect(sorted.map((x) => x.inbox)).toEqual(["https://B.example/a", "https://b.example/Z", "https://b.example/a"]);
  });
});

describe("folding into per-host messages", () => {
  it("gives a host with a shared inbox one message and a personal-inbox host one inbox per follower", () => {
    // What PostgreSQL streams: followers on a.example share its shared inbox (DISTINCT leaves one
    // target), those on b.example have personal inboxes only.
    const batches = fold([[t("a.example", "/inbox"), t("b.example", "/u/1/inbox"), t("b.example", "/u/2/inbox")]], [], 100);
    expect(batches).toEqual([
      { host: "a.example", inboxes: ["https://a.example/inbox"] },
      { host: "b.example", inboxes: ["https://b.example/u/1/inbox", "https://b.example/u/2/inbox"] },
    ]);
  });

  it("keeps mixed hosts apart: a shared inbox, personal inboxes and explicit inboxes on one host share messages", () => {
    const batches = fold(
      [[t("a.example", "/inbox"), t("a.example", "/users/x/inbox")], [t("c.example", "/inbox")]],
      [t("a.example", "/users/y/inbox"), t("b.example", "/inbox")],
      100,
    );
    expect(batches.map((b) => [b.host, b.inboxes.length])).toEqual([
      ["a.example", 3],
      ["b.example", 1],
      ["c.example", 1],
    ]);
  });

  it("splits a host with very many personal inboxes into bounded messages, across page boundaries", () => {
    const inboxes = Array.from({ length: 23 }, (_, i) => t("big.example", `/u/${String(i).padStart(2, "0")}/inbox`));
    const pages = [
      [t("a.example", "/inbox"), ...inboxes.slice(0, 7)],
      inboxes.slice(7, 19),
      [...inboxes.slice(19), t("z.example", "/inbox")],
    ];
    const batches = fold(pages, [], 5);
    expect(batches.map((b) => [b.host, b.inboxes.length])).toEqual([
      ["a.example", 1],
      ["big.example", 5],
      ["big.example", 5],
      ["big.example", 5],
      ["big.example", 5],
      ["big.example", 3],
      ["z.example", 1],
    ]);
    expect(batches.flatMap((b) => (b.host === "big.example" ? b.inboxes : []))).toEqual(inboxes.map((x) => x.inbox));
  });
});

import { describe, expect, it } from "vitest";
import { coalesce, type Waiting } from "../src";

const inboxes = ["https://b.example/inbox"];
const w = (key: string, type: string, extra: Partial<Waiting> = {}): Waiting => ({ key, type, activityIri: `https://a.example/${key}`, undoes: null, inboxes, ...extra });
const keys = (lane: Waiting[]) => coalesce(lane).map((s) => `${s.key}:${s.rule}`);

describe("coalesce", () => {
  it("keeps the Create and the newest of many Updates", () => {
    expect(keys([w("c", "Create"), w("u1", "Update"), w("u2", "Update"), w("u3", "Update")])).toEqual(["u1:replaced", "u2:replaced"]);
  });

  it("drops a never-sent Create with its Delete, and the Updates between", () => {
    expect(keys([w("c", "Create"), w("u", "Update"), w("d", "Delete")]).sort()).toEqual(["c:create-deleted", "d:create-deleted", "u:replaced"]);
  });

  it("sends a Delete whose Create is not waiting (it was delivered)", () => {
    expect(keys([w("u", "Update"), w("d", "Delete")])).toEqual(["u:replaced"]);
    expect(keys([w("d", "Delete")])).toEqual([]);
  });

  it("cancels a Like or Announce with its own Undo only", () => {
    expect(keys([w("l", "Like"), w("x", "Undo", { undoes: "https://a.example/l" })]).sort()).toEqual(["l:reaction-undone", "x:reaction-undone"]);
    expect(keys([w("l", "Like"), w("x", "Undo", { undoes: "https://a.example/other" })])).toEqual([]);
    expect(keys([w("b", "Announce"), w("x", "Undo", { undoes: "https://a.example/b" })]).sort()).toEqual(["b:reaction-undone", "x:reaction-undone"]);
  });

  it("never drops what it cannot replace: Create then Update, Delete then Create, other types", () => {
    expect(keys([w("c", "Create"), w("u", "Update")])).toEqual([]);
    expect(keys([w("d", "Delete"), w("c", "Create")])).toEqual([]);
    expect(keys([w("f", "Follow"), w("x", "Undo", { undoes: "https://a.example/f" })])).toEqual([]);
    expect(keys([w("a", "Add"), w("r", "Remove")])).toEqual([]);
  });

  it("never cancels a Create or Like that was tried before: it may have arrived", () => {
    expect(keys([w("c", "Create", { attempted: true }), w("u", "Update"), w("d", "Delete")])).toEqual(["u:replaced"]);
    expect(keys([w("l", "Like", { attempted: true }), w("x", "Undo", { undoes: "https://a.example/l" })])).toEqual([]);
    expect(keys([w("u1", "Update", { attempted: true }), w("u2", "Update")])).toEqual(["u1:replaced"]);
  });

  it("works per inbox: a newer activity replaces only the inboxes it also goes to", () => {
    const older = w("u1", "Update", { inboxes: ["i1", "i2"] });
    const newer = w("u2", "Update", { inboxes: ["i2", "i3"] });
    expect(coalesce([older, newer])).toEqual([{ key: "u1", inbox: "i2", rule: "replaced" }]);
  });

  it("lets each newer activity cancel one older one at most", () => {
    const lane = [w("l1", "Like"), w("l2", "Like", { activityIri: "https://a.example/l1" }), w("x", "Undo", { undoes: "https://a.example/l1" })];
    // Two Likes with one IRI would be a client bug; the Undo still cancels one of them, not both.
    expect(coalesce(lane).filter((s) => s.key === "x")).toHaveLength(1);
  });
});

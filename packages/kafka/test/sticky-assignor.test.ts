import { describe, expect, it } from "vitest";
import { stickyAssignment } from "../src/sticky-assignor";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const moved = (before: Map<string, number[]>, after: Map<string, number[]>) => {
  let count = 0;
  for (const [id, partitions] of after) for (const p of partitions) if (!(before.get(id) ?? []).includes(p)) count += 1;
  return count;
};

describe("stickyAssignment", () => {
  it("splits evenly when nobody owns anything", () => {
    const result = stickyAssignment(
      [
        { id: "a", previous: [] },
        { id: "b", previous: [] },
        { id: "c", previous: [] },
      ],
      range(24),
    );
    expect([...result.values()].map((p) => p.length)).toEqual([8, 8, 8]);
    expect(new Set([...result.values()].flat()).size).toBe(24);
  });

  it("moves only what the new member takes when one joins", () => {
    const before = stickyAssignment([{ id: "a", previous: [] }], range(24));
    const after = stickyAssignment(
      [
        { id: "a", previous: before.get("a")! },
        { id: "b", previous: [] },
        { id: "c", previous: [] },
      ],
      range(24),
    );
    expect([...after.values()].map((p) => p.length)).toEqual([8, 8, 8]);
    // a keeps 8 of its 24; the 16 that move all go to the newcomers.
    expect(after.get("a")!.every((p) => before.get("a")!.includes(p))).toBe(true);
  });

  it("moves only the leaver's partitions when one leaves", () => {
    const before = new Map([
      ["a", range(8)],
      ["b", range(8).map((p) => p + 8)],
      ["c", range(8).map((p) => p + 16)],
    ]);
    const after = stickyAssignment(
      [
        { id: "a", previous: before.get("a")! },
        { id: "b", previous: before.get("b")! },
      ],
      range(24),
    );
    expect(moved(before, after)).toBe(8);
    expect([...after.values()].map((p) => p.length).sort()).toEqual([12, 12]);
    expect(new Set([...after.values()].flat()).size).toBe(24);
  });

  it("handles uneven counts and stale claims of one partition by two members", () => {
    const after = stickyAssignment(
      [
        { id: "a", previous: [0, 1, 2] },
        { id: "b", previous: [2, 3] },
        { id: "c", previous: [] },
      ],
      range(5),
    );
    const all = [...after.values()].flat().sort();
    expect(all).toEqual([0, 1, 2, 3, 4]);
    expect([...after.values()].map((p) => p.length).sort()).toEqual([1, 2, 2]);
  });
});

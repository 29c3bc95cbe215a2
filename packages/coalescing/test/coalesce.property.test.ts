import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coalesce, type Waiting } from "../src";

type HostState = { known: false } | { known: true; version: number };

/** What a receiving server holds of the object after an activity (Updates of an unknown object are ignored). */
function apply(state: HostState, activity: Waiting, version: number): HostState {
  if (activity.type === "Create") return { known: true, version };
  if (activity.type === "Update") return state.known ? { known: true, version } : state;
  if (activity.type === "Delete") return { known: false };
  return state;
}

const inbox = "https://b.example/inbox";

/** A valid history for one object and one inbox: a Create only first and only if the host does not know the object yet. */
const history = fc
  .record({
    knownBefore: fc.boolean(),
    ops: fc.array(fc.constantFrom("Update", "Delete"), { maxLength: 8 }),
  })
  .map(({ knownBefore, ops }) => ({
    knownBefore,
    lane: [...(knownBefore ? [] : ["Create"]), ...ops].map((type, i): Waiting => ({ key: `a${i}`, type, activityIri: `https://a.example/a${i}`, undoes: null, inboxes: [inbox] })),
  }));

describe("coalescing never changes what a host ends up with", () => {
  it("for any history of one object's Create, Updates and Delete", () => {
    fc.assert(
      fc.property(history, ({ knownBefore, lane }) => {
        const start: HostState = knownBefore ? { known: true, version: -1 } : { known: false };
        const dropped = new Set(coalesce(lane).map((s) => s.key));
        const all = lane.reduce((state, activity, i) => apply(state, activity, i), start);
        const kept = lane.reduce((state, activity, i) => (dropped.has(activity.key) ? state : apply(state, activity, i)), start);
        expect(kept).toEqual(all);
        // A Delete is only ever dropped together with a never-sent Create.
        for (const s of coalesce(lane)) if (lane.find((a) => a.key === s.key)!.type === "Delete") expect(s.rule).toBe("create-deleted");
      }),
    );
  });

  it("for any sequence of Likes and Undos of them", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 })), { maxLength: 10 }), (steps) => {
        // Each Like has its own IRI; an Undo names one of the Likes before it.
        const lane: Waiting[] = [];
        steps.forEach(([like, pick], i) => {
          const likes = lane.filter((a) => a.type === "Like");
          if (like || likes.length === 0) lane.push({ key: `l${i}`, type: "Like", activityIri: `https://a.example/l${i}`, undoes: null, inboxes: [inbox] });
          else lane.push({ key: `u${i}`, type: "Undo", activityIri: `https://a.example/u${i}`, undoes: likes[pick % likes.length]!.activityIri, inboxes: [inbox] });
        });
        const liked = (activities: Waiting[]) => {
          const set = new Set<string>();
          for (const a of activities) {
            if (a.type === "Like") set.add(a.activityIri!);
            else set.delete(a.undoes!);
          }
          return [...set].sort();
        };
        const dropped = new Set(coalesce(lane).map((s) => s.key));
        expect(liked(lane.filter((a) => !dropped.has(a.key)))).toEqual(liked(lane));
      }),
    );
  });
});

import { describe, expect, it } from "vitest";
import { Problem } from "../src/problem";
import { activityBody, followersBody, parseBody, parseHostParameter, requestDigest } from "../src/validation";

const actor = "https://local.example/users/alice";
const activity = { id: `${actor}/a/1`, type: "Create", actor, object: { id: `${actor}/n/1` } };

function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error("no problem raised");
}

describe("ingress validation", () => {
  it("accepts a well-formed activity and fills audience defaults", () => {
    const body = parseBody(activityBody, { actor, activity, audience: { followers: true } });
    expect(body.audience).toEqual({ followers: true, actors: [], inboxes: [] });
  });

  it("names every invalid field with a JSON pointer", () => {
    const problem = problemOf(() =>
      parseBody(activityBody, {
        actor: "ftp://x",
        activity: { ...activity, id: 5 },
        audience: { inboxes: ["https://u:p@b.example/inbox"] },
      }),
    );
    expect(problem.status).toBe(400);
    const pointers = (problem.extra.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(["/actor", "/activity/id", "/audience/inboxes/0"]));
  });

  it("refuses an empty audience and unknown fields", () => {
    expect(problemOf(() => parseBody(activityBody, { actor, activity, audience: {} })).detail).toContain("names nobody");
    expect(problemOf(() => parseBody(activityBody, { actor, activity, audience: { followers: true }, extra: 1 })).status).toBe(400);
    expect(problemOf(() => parseBody(activityBody, [])).detail).toContain("JSON object");
  });

  it("caps followers calls at 10,000 entries", () => {
    const add = Array.from({ length: 10_001 }, (_, i) => ({ id: `https://b.example/u/${i}`, inbox: `https://b.example/u/${i}/inbox` }));
    expect(problemOf(() => parseBody(followersBody, { actor, add })).detail).toContain("10000");
    expect(parseBody(followersBody, { actor, add: add.slice(0, 10_000) }).add).toHaveLength(10_000);
  });

  it("digests requests so a reused idempotency key with another body is caught", () => {
    const one = parseBody(activityBody, { actor, activity, audience: { followers: true }, idempotencyKey: "k" });
    const two = parseBody(activityBody, {
      actor,
      activity: { ...activity, type: "Update" },
      audience: { followers: true },
      idempotencyKey: "k",
    });
    expect(requestDigest(one)).not.toBe(requestDigest(two));
    expect(requestDigest(one)).toBe(
      requestDigest(parseBody(activityBody, { actor, activity, audience: { followers: true }, idempotencyKey: "k" })),
    );
  });

  it("normalises host parameters", () => {
    expect(parseHostParameter("Mastodon.Social")).toBe("mastodon.social");
    expect(parseHostParameter("example.com:443")).toBe("example.com");
    expect(parseHostParameter("127.0.0.1:8080")).toBe("127.0.0.1:8080");
    expect(problemOf(() => parseHostParameter("a/b")).status).toBe(400);
  });
});

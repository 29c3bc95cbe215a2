import { describe, expect, it } from "vitest";
import { checkAppendActivity, checkRegisterActor, checkUpdateFollowers } from "../src/request-rules";

const actor = "https://local.example/users/alice";
const activity = { id: `${actor}/activities/1`, type: "Create", actor, object: { type: "Note", content: "hi\nthere" } };
const append = (overrides: Record<string, unknown> = {}) => ({
  actorId: actor,
  activityJson: JSON.stringify(activity),
  audience: { followers: false, actors: [], inboxes: ["https://remote.example/inbox"] },
  idempotencyKey: undefined,
  requestDigest: "d",
  ...overrides,
});
const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error as { code?: number; message: string };
  }
  throw new Error("accepted");
};

describe("outbox's gRPC request rules, the same as ingress's", () => {
  it("accepts what ingress sends, with IRIs normalised", () => {
    const checked = checkAppendActivity(append({ audience: { followers: true, actors: ["HTTPS://Remote.Example/users/Bob"], inboxes: [] } }));
    expect(checked.audience?.actors).toEqual(["https://remote.example/users/Bob"]);
    expect(checked.activity).toEqual(activity);
  });

  it("refuses an audience actor fan-out could never use", () => {
    for (const bad of ["javascript:alert(1)", "https://user:pw@remote.example/users/bob", "https://remote.example/\u0000", "not a url"]) {
      const error = refusal(() => checkAppendActivity(append({ audience: { followers: false, actors: [bad], inboxes: [] } })));
      expect(error.code, bad).toBe(3); // INVALID_ARGUMENT
      expect(error.message).toContain("/audience/actors/0");
    }
  });

  it("refuses text no database stores, and activities without usable id, type or actor", () => {
    expect(refusal(() => checkAppendActivity(append({ activityJson: JSON.stringify({ ...activity, object: "\u0000" }) }))).message).toContain(
      "activity/object",
    );
    expect(refusal(() => checkAppendActivity(append({ activityJson: JSON.stringify({ ...activity, type: "Cre\nate" }) }))).code).toBe(3);
    expect(refusal(() => checkAppendActivity(append({ activityJson: "[1]" }))).code).toBe(3);
    expect(refusal(() => checkAppendActivity(append({ idempotencyKey: "k\u0000" }))).code).toBe(3);
  });

  it("refuses a key id holding a line feed, and unusable follower inboxes", () => {
    expect(refusal(() => checkRegisterActor({ id: actor, keyId: `${actor}#main\n-key`, privateKeyPem: "x" })).code).toBe(3);
    const followers = { actorId: actor, add: [{ id: "https://remote.example/users/bob", inbox: "ftp://remote.example/inbox" }], remove: [] };
    expect(refusal(() => checkUpdateFollowers(followers)).message).toContain("/add/0/inbox");
  });
});

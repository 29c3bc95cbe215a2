import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics, type DeliveryJob } from "@fediflow/contracts";
import { TestStack, committedOffset, createNote, publish, readTopic, topicEnd, waitFor, type LocalActor } from "../src";

// Issue 4, item 6 end to end: kill -9 of fan-out in the middle of a large audience, then a
// restart: every inbox gets its delivery, none more than twice and no more twice than the
// redelivery window allows; a redelivered activity message never starts a second fan-out.
const personalHosts = 50;
const sharedHosts = 250;
const perPersonalHost = 100;
const perSharedHost = 180;
const inboxesPerMessage = 5;
const window = 20;
const followerCount = personalHosts * perPersonalHost + sharedHosts * perSharedHost;
const inboxCount = personalHosts * perPersonalHost + sharedHosts;

let t: TestStack;
let actor: LocalActor;

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: { hosts: Array.from({ length: personalHosts + sharedHosts }, (_, i) => ({ sharedInbox: i >= personalHosts })), network: 87 },
    serviceEnv: {
      "fan-out": {
        FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE: String(inboxesPerMessage),
        FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES: String(window),
        // Small pages and a small window: many round trips, so the kill lands well inside the fan-out.
        FEDIFLOW_FANOUT_PAGE_SIZE: "50",
        FEDIFLOW_FANOUT_LEASE_MS: "3000",
      },
    },
  });
  actor = await t.registerActor("alice");
  const followers = t.fediverse.hosts.flatMap((host, i) =>
    Array.from({ length: i < personalHosts ? perPersonalHost : perSharedHost }, (_, n) => ({
      id: host.actorOf(`u${n}`),
      inbox: host.inboxOf(`u${n}`),
      ...(host.hasSharedInbox ? { sharedInbox: host.sharedInbox } : {}),
    })),
  );
  expect(followers).toHaveLength(followerCount);
  for (let i = 0; i < followers.length; i += 10_000) {
    const added = await t.api("POST", "/v1/followers", { actor: actor.id, add: followers.slice(i, i + 10_000) });
    expect(added).toMatchObject({ status: 200, body: { added: Math.min(10_000, followers.length - i) } });
  }
});
afterAll(async () => {
  await t?.stop();
});

describe("fan-out killed in the middle of a large audience", () => {
  it("resumes after a restart: every inbox delivered, duplicates only within the window, no second fan-out", async () => {
    const activity = createNote(actor.id);
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { followers: true } });
    const id = accepted.body.id as string;

    // kill -9 as soon as the first checkpoint is written: the fan-out is under way.
    type Progress = { inboxes: number; messages: number; completed: boolean };
    const progress = async () =>
      (
        await t.db.query<Progress>(
          "SELECT inboxes, messages, completed_at IS NOT NULL AS completed FROM fanout_checkpoints WHERE activity_id = $1",
          [id],
        )
      ).rows[0];
    await waitFor("the first checkpoint", async () => ((await progress())?.inboxes ?? 0) > 0, 60_000, 2);
    const fanOut = t.stack.processes.get("fan-out")!;
    fanOut.signal("SIGKILL");
    expect(await fanOut.exited()).toMatchObject({ signal: "SIGKILL" });
    const atKill = (await progress())!;
    expect(atKill.completed).toBe(false);
    expect(atKill.inboxes).toBeGreaterThan(0);
    expect(atKill.inboxes).toBeLessThan(inboxCount);

    await t.stack.restart("fan-out");
    const status = await t.waitUntilDone(id, 170_000);
    expect(status).toMatchObject({ inboxes: { total: inboxCount, delivered: inboxCount, failed: 0, pending: 0 } });

    // Every inbox got the activity; a few twice, never more than the window's worth.
    const received = new Map<string, number>();
    for (const post of t.fediverse.allReceived()) {
      if (post.activityId === activity.id) received.set(post.inbox, (received.get(post.inbox) ?? 0) + 1);
    }
    const expected = t.fediverse.hosts.flatMap((host, i) =>
      i < personalHosts ? Array.from({ length: perPersonalHost }, (_, n) => host.inboxOf(`u${n}`)) : [host.sharedInbox],
    );
    expect(received.size).toBe(inboxCount);
    for (const inbox of expected) expect(received.get(inbox), inbox).toBeGreaterThanOrEqual(1);
    const twice = [...received.values()].filter((n) => n > 1);
    expect(Math.max(...received.values())).toBeLessThanOrEqual(2);
    expect(twice.length).toBeLessThanOrEqual(window * inboxesPerMessage);

    // The same count from the deliveries topic: messages published again after the restart.
    const kafka = t.kafka();
    const messages = (await readTopic<DeliveryJob>(kafka, topics.deliveries)).filter((m) => m.value.activityId === id);
    const distinct = new Set(messages.map((m) => `${m.value.host} ${m.value.inboxes.join(" ")}`));
    const republished = messages.length - distinct.size;
    expect(republished).toBeLessThanOrEqual(window);
    const final = (await progress())!;
    expect(final).toMatchObject({ completed: true, inboxes: inboxCount, messages: distinct.size });
    process.stdout.write(
      `[fan-out-crash] ${followerCount} followers, ${inboxCount} inboxes in ${distinct.size} messages; killed at checkpoint ` +
        `${atKill.messages} messages / ${atKill.inboxes} inboxes; republished ${republished} messages, ${twice.length} inboxes delivered twice ` +
        `(window ${window} messages = at most ${window * inboxesPerMessage} inboxes)\n`,
    );

    // The activity message delivered again (an outbox relay retry, a rebalance): nothing happens.
    const deliveriesBefore = await topicEnd(kafka, topics.deliveries);
    const postsBefore = t.fediverse.allReceived().length;
    const objectId = (activity.object as { id: string }).id;
    const again = await publish(kafka, topics.activities, objectId, {
      activityId: id,
      actorId: actor.id,
      activityType: "Create",
      objectId,
    });
    await waitFor(
      "fan-out to take the redelivered message",
      async () => (await committedOffset(kafka, "fediflow-fan-out", topics.activities, again.partition)) > again.offset,
    );
    expect(await topicEnd(kafka, topics.deliveries)).toBe(deliveriesBefore);
    expect(t.fediverse.allReceived().length).toBe(postsBefore);
  });
});

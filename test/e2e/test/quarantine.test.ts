import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics, type ActivityAccepted, type DeliveryReport } from "@fediflow/contracts";
import { TopicProducer } from "@fediflow/kafka";
import type { QuarantinedMessage } from "@fediflow/client";
import { TestStack, createNote, waitFor, type ApiResponse, type LocalActor } from "../src";

// Issue 24: one bad message never stalls a partition. A message a consumer can never handle is
// quarantined (kept in PostgreSQL), the consumer moves past it, the operator lists it and
// publishes it again once the cause is fixed.
let t: TestStack;
let actor: LocalActor;

beforeAll(async () => {
  t = await TestStack.start({ fediverse: { hosts: [{ behaviour: { kind: "ok" } }, { behaviour: { kind: "ok" } }] } });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

async function quarantined(): Promise<QuarantinedMessage[]> {
  const messages: QuarantinedMessage[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const page: ApiResponse<{ messages: QuarantinedMessage[]; next: string | null }> = await t.api<{
      messages: QuarantinedMessage[];
      next: string | null;
    }>("GET", `/v1/quarantine?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.status).toBe(200);
    messages.push(...page.body.messages);
    cursor = page.body.next;
  }
  return messages;
}

/** A time-ordered id, as outbox mints them. */
function uuidv7(): string {
  const hex = Date.now().toString(16).padStart(12, "0") + "7" + randomBytes(10).toString("hex").slice(0, 19);
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * An activity as an older outbox with laxer rules could have accepted it: stored, queued for the
 * relay, with an audience actor fan-out cannot use (today's outbox refuses it at the door).
 */
async function acceptPoisonedActivity(objectIri: string): Promise<string> {
  const id = uuidv7();
  const client = await t.db.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO activities (id, actor_id, activity_iri, activity_type, object_iri, body, audience, request_digest, trace_context)
       VALUES ($1, $2, $3, 'Create', $4, $5, $6, 'poison', '{}')`,
      [
        id,
        actor.id,
        `${actor.id}/activities/poison-${id}`,
        objectIri,
        JSON.stringify({ ...createNote(actor.id), id: `${actor.id}/activities/poison-${id}` }),
        JSON.stringify({ followers: false, actors: ["ftp://files.example/users/x"], inboxes: [] }),
      ],
    );
    await client.query("INSERT INTO activity_progress (activity_id) VALUES ($1)", [id]);
    const message: ActivityAccepted = { activityId: id, actorId: actor.id, activityType: "Create", objectId: objectIri };
    await client.query("INSERT INTO outbox_messages (topic, message_key, payload) VALUES ($1, $2, $3)", [
      topics.activities.name,
      topics.activities.keyOf(message),
      JSON.stringify(message),
    ]);
    await client.query("COMMIT");
  } finally {
    client.release();
  }
  return id;
}

describe("quarantine", () => {
  it("sets aside an activity fan-out cannot use; its lane goes on; the operator lists and redrives it", async () => {
    const inbox = t.fediverse.hosts[0]!.inboxOf("bob");
    const note = createNote(actor.id, "after the poison");
    const objectIri = (note.object as { id: string }).id;
    // The poisoned activity first, in the lane (object) of the good one that follows it.
    await acceptPoisonedActivity(objectIri);
    const good = await t.client.submitActivity({ actor: actor.id, activity: note, audience: { inboxes: [inbox] } });
    const done = await t.waitUntilDone(good.id);
    expect(done.inboxes).toMatchObject({ total: 1, delivered: 1 });

    const [entry] = await waitFor("the poisoned activity in the quarantine", async () => {
      const entries = (await quarantined()).filter((e) => e.group === "fediflow-fan-out");
      return entries.length > 0 && entries;
    });
    expect(entry).toMatchObject({
      topic: "fediflow.activities",
      key: objectIri,
      reason: "unusable-url",
      partition: expect.any(Number),
      offset: expect.any(Number),
      quarantinedAt: expect.any(String),
    });
    expect(entry!.error).toMatch(/^UnusableUrl: .*ftp:\/\/files\.example\/users\/x/);
    expect(entry!.redrivenAt).toBeUndefined();

    // Redriven: published to the topic again. The cause is not fixed, so fan-out meets it again
    // at a new offset and quarantines it anew.
    const redrive = await t.api("POST", `/v1/quarantine/${entry!.id}/redrive`);
    expect(redrive).toMatchObject({ status: 202, body: { redriven: 1 } });
    const again = await waitFor("the redriven message quarantined again", async () => {
      const entries = (await quarantined()).filter((e) => e.group === "fediflow-fan-out");
      return entries.length === 2 && entries;
    });
    expect(again[0]).toMatchObject({ id: entry!.id, redrivenAt: expect.any(String) });
    expect(again[1]).toMatchObject({ topic: "fediflow.activities", key: objectIri, reason: "unusable-url", partition: entry!.partition });
    expect(again[1]!.offset).toBeGreaterThan(entry!.offset!);
    expect(await t.api("POST", `/v1/quarantine/${entry!.id}/redrive`)).toMatchObject({ status: 202, body: { redriven: 0 } });
    expect(await t.api("POST", "/v1/quarantine/999999999/redrive")).toMatchObject({ status: 404 });
    expect(await t.api("POST", "/v1/quarantine/x1/redrive")).toMatchObject({ status: 400 });
  });

  it("sets aside a report of an activity retention removed; outcomes on its partition go on being counted", async () => {
    const host = t.fediverse.hosts[1]!;
    // Outcomes are keyed by host: this report shares a partition with the next activity's.
    const removed: DeliveryReport = {
      activityId: uuidv7(),
      actorId: actor.id,
      activityType: "Create",
      objectId: null,
      host: host.host,
      attempt: 1,
      firstAttemptAt: null,
      outcomes: [{ inbox: host.inboxOf("carol"), outcome: "delivered", status: 202, reason: null, durationMs: 12 }],
      at: new Date().toISOString(),
    };
    const producer = await TopicProducer.connect(t.kafka());
    await producer.send(topics.outcomes, [removed]);
    await producer.disconnect();

    const good = await t.client.submitActivity({
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { inboxes: [host.inboxOf("dan")] },
    });
    expect((await t.waitUntilDone(good.id)).inboxes).toMatchObject({ total: 1, delivered: 1 });
    const entry = await waitFor("the report in the quarantine", async () =>
      (await quarantined()).find((e) => e.group === "fediflow-outbox-accounting"),
    );
    expect(entry).toMatchObject({ topic: topics.outcomes.name, key: host.host, reason: "integrity-constraint" });
    expect(entry.error).toContain("foreign key");
  });

  it("counts what it quarantined", async () => {
    const metrics = await waitFor("the fan-out metric", async () => {
      const text = await (await fetch(`${t.stack.opsUrl("fan-out")}/metrics`)).text();
      return /fediflow_quarantined_messages_total\{[^}]*reason="unusable-url"[^}]*\} 2/.test(text) && text;
    });
    expect(metrics).toMatch(/fediflow_quarantined_messages_total\{[^}]*topic="fediflow.activities"[^}]*group="fediflow-fan-out"/);
  });
});

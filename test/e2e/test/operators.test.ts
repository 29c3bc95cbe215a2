import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VirtualHost } from "@fediflow/fake-fediverse";
import type { InboxOutcome, InboxRecord } from "@fediflow/client";
import { TestStack, createNote, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

// Compressed time: retries every few hundred ms for two minutes; a host unreachable for 4 s is
// dead (the breaker never trips first), and a dead host is probed only after an hour.
beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: [
        { behaviour: { kind: "ok" } }, // 0..2: verify signatures against the key they know
        { behaviour: { kind: "ok" } },
        { behaviour: { kind: "ok" } },
        { behaviour: { kind: "ok" } }, // 3: blocked by the operator before the redrive
        { behaviour: { kind: "status", status: 503 } }, // 4: fails for a while
        { behaviour: { kind: "refuse" } }, // 5: dies; its park is discarded
      ],
    },
    env: {
      FEDIFLOW_RETRY_BASE_MS: "300",
      FEDIFLOW_RETRY_MAX_DELAY_MS: "600",
      FEDIFLOW_RETRY_HORIZON_MS: "120000",
      FEDIFLOW_SCHEDULE_POLL_MS: "100",
      FEDIFLOW_BREAKER_THRESHOLD: "1000",
      FEDIFLOW_DEAD_AFTER_MS: "4000",
      FEDIFLOW_WEBHOOK_RETRY_BASE_MS: "300",
      FEDIFLOW_WEBHOOK_POLL_MS: "100",
    },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

const host = (i: number): VirtualHost => t.fediverse.hosts[i]!;

/** Every inbox of an activity through the client's iterator over keyset pages of `limit`. */
async function allInboxes(id: string, filter: { outcome?: InboxOutcome; host?: string }, limit: number): Promise<InboxRecord[]> {
  const rows: InboxRecord[] = [];
  for await (const row of t.client.allActivityInboxes(id, { ...filter, limit })) rows.push(row);
  return rows;
}

async function submit(inboxes: string[]): Promise<string> {
  const accepted = await t.client.submitActivity({ actor: actor.id, activity: createNote(actor.id) as never, audience: { inboxes } });
  return accepted.id;
}

describe("operators: see why, send again", () => {
  it("a key problem: 401s, the fix, the redrive, and the deliveries that followed", async () => {
    // The remote servers know a key that is not the actor's (a rotation they have not seen).
    const stale = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    t.fediverse.trustKey(actor.keyId, stale);
    const inboxes = [host(0).inboxOf("bob"), host(0).inboxOf("carol"), host(1).inboxOf("dan"), host(2).inboxOf("erin"), host(3).inboxOf("fay")];
    const id = await submit(inboxes);
    const failed = await t.waitUntilDone(id);
    expect(failed.inboxes).toMatchObject({ total: 5, delivered: 0, failed: 5, pending: 0 });

    // Why: every inbox rejected with 401, two at a time through the keyset pages.
    const rejected = await allInboxes(id, { outcome: "rejected" }, 2);
    expect(rejected.map((row) => row.inbox)).toEqual([...inboxes].sort());
    for (const row of rejected) expect(row).toMatchObject({ outcome: "rejected", status: 401, attempts: 1, lastAttemptAt: expect.any(String) });
    const attempts = await t.client.hostAttempts(host(0).host, 10);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ activityId: id, outcome: "rejected", status: 401, durationMs: expect.any(Number) });

    // The fix (the servers fetch the actor's current key), a host blocked meanwhile, the redrive.
    t.fediverse.trustKey(actor.keyId, actor.publicKeyPem);
    await t.client.blockHost(host(3).host);
    const redrive = await t.api("POST", `/v1/activities/${id}/redrive`, { requestId: "key-fix" });
    expect(redrive).toMatchObject({ status: 202, body: { redriven: 4 } });
    const during = await t.client.activityStatus(id);
    expect(during).toMatchObject({ state: "delivering", inboxes: { total: 5, failed: 1, pending: 4 } });
    expect(during.completedAt).toBeUndefined();
    // The same request again redrives nothing more.
    expect(await t.client.redriveActivity(id, { requestId: "key-fix" })).toEqual({ redriven: 4 });

    const done = await t.waitUntilDone(id);
    expect(done.inboxes).toMatchObject({ total: 5, delivered: 4, failed: 1, pending: 0 });
    expect(Date.parse(done.completedAt as string)).toBeGreaterThan(Date.parse(failed.completedAt as string));
    // Each fixed inbox received exactly one delivery that verifies; the blocked host nothing more.
    const verified = t.fediverse.allReceived().filter((post) => post.signatureValid);
    for (const inbox of inboxes.slice(0, 4)) expect(verified.filter((post) => post.inbox === inbox)).toHaveLength(1);
    expect(host(3).received.filter((post) => post.signatureValid)).toHaveLength(0);
    expect(await allInboxes(id, { outcome: "delivered", host: host(0).host }, 100)).toEqual([
      expect.objectContaining({ inbox: host(0).inboxOf("bob"), outcome: "delivered", status: 202, attempts: 1 }),
      expect.objectContaining({ inbox: host(0).inboxOf("carol"), outcome: "delivered", status: 202, attempts: 1 }),
    ]);
    const after = await t.client.hostAttempts(host(0).host);
    expect(after.slice(0, 2).map((attempt) => attempt.outcome)).toEqual(["delivered", "delivered"]);
  });

  it("shows a retrying inbox pending with its attempts and next attempt time", async () => {
    const id = await submit([host(4).inboxOf("gil")]);
    const pending = await waitFor("a pending row", async () => {
      const rows = await allInboxes(id, { outcome: "pending" }, 10);
      return rows[0]?.nextAttemptAt ? rows[0] : undefined;
    });
    expect(pending).toMatchObject({ outcome: "pending", status: 503, reason: "HTTP 503", attempts: expect.any(Number) });
    expect(Date.parse(pending.nextAttemptAt!)).toBeGreaterThanOrEqual(Date.parse(pending.lastAttemptAt!));
    await t.fediverse.setBehaviour(host(4).host, { kind: "ok" });
    expect((await t.waitUntilDone(id)).inboxes).toMatchObject({ delivered: 1 });
    expect(await allInboxes(id, {}, 10)).toEqual([expect.objectContaining({ outcome: "delivered", status: 202 })]);
  });

  it("lists a dead host's parked deliveries and discards them, settled failed", async () => {
    const dead = host(5);
    const id = await submit([dead.inboxOf("hal"), dead.inboxOf("ida"), dead.inboxOf("jo")]);
    const parked = await waitFor("three parked deliveries", async () => {
      const status = await t.client.activityStatus(id);
      return status.inboxes.parked === 3 ? status : undefined;
    });
    expect(parked.state).toBe("done");
    const first = await t.client.parked(dead.host, { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await t.client.parked(dead.host, { limit: 2, cursor: first.next! });
    expect(second.next).toBeNull();
    expect([...first.items, ...second.items].map((p) => p.inbox).sort()).toEqual(
      [dead.inboxOf("hal"), dead.inboxOf("ida"), dead.inboxOf("jo")].sort(),
    );
    expect(await t.client.discardParked(dead.host)).toEqual({ discarded: 3 });
    const settled = await waitFor("discarded counted failed", async () => {
      const status = await t.client.activityStatus(id);
      return status.inboxes.failed === 3 ? status : undefined;
    });
    expect(settled).toMatchObject({ state: "done", inboxes: { parked: 0, failed: 3 } });
    expect((await allInboxes(id, { outcome: "discarded" }, 10)).map((row) => row.reason)).toEqual(Array(3).fill("discarded by an operator"));
    expect(await t.client.parked(dead.host)).toEqual({ items: [], next: null });
  });

  it("tells the application by webhook: signed, at least once, retried after a 500 with the same webhook-id", async () => {
    const received: Array<{ body: string; headers: IncomingHttpHeaders; answered: number }> = [];
    // The first attempt of every event fails (other events, such as another activity's, may
    // arrive first), so the one under test is seen answered 500 and then retried.
    const attempted = new Set<string>();
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        const eventId = String(req.headers["webhook-id"]);
        const answered = attempted.has(eventId) ? 204 : 500;
        attempted.add(eventId);
        received.push({ body, headers: req.headers, answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fediflow-events`;
      const subscription = await t.client.createWebhook({ url, events: ["activity.completed", "host.revived"] });
      expect(subscription.secret).toMatch(/^whsec_/);
      expect((await t.client.webhooks()).map((w) => [w.id, w.paused])).toEqual([[subscription.id, false]]);

      const id = await submit([host(1).inboxOf("kim")]);
      await t.waitUntilDone(id);
      const completed = await waitFor("activity.completed delivered after a retry", () => {
        const mine = received.filter((r) => (JSON.parse(r.body) as { data: { id?: string } }).data.id === id);
        return mine.some((r) => r.answered === 204) ? mine : undefined;
      });
      const verifier = new Webhook(subscription.secret);
      for (const request of completed) verifier.verify(request.body, request.headers as Record<string, string>);
      expect(completed.map((r) => r.answered)).toEqual([500, 204]);
      expect(new Set(completed.map((r) => r.headers["webhook-id"])).size).toBe(1);
      const payload = JSON.parse(completed[1]!.body) as { type: string; timestamp: string; data: Record<string, unknown> };
      expect(payload).toMatchObject({ type: "activity.completed", data: { id, state: "done", inboxes: { total: 1, delivered: 1 } } });
      // A forged signature does not verify.
      expect(() => verifier.verify(completed[1]!.body.replace("done", "dune"), completed[1]!.headers as Record<string, string>)).toThrow();

      // The dead host of the previous test answers its application: host.revived.
      await t.client.hostSeen(host(5).host);
      const revived = await waitFor("host.revived", () =>
        received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> }).find((e) => e.type === "host.revived"),
      );
      expect(revived.data).toMatchObject({ host: host(5).host, state: "healthy", from: "dead" });

      // Only this activity's event: an earlier test's activity may complete (and be told) too.
      const eventId = String(completed[0]!.headers["webhook-id"]);
      const deliveries = await t.client.webhookDeliveries(subscription.id);
      expect(deliveries.filter((d) => d.eventId === eventId).map((d) => [d.attempt, d.result, d.status])).toEqual([
        [2, "delivered", 204],
        [1, "retrying", 500],
      ]);
      await t.client.deleteWebhook(subscription.id);
      expect(await t.client.webhooks()).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

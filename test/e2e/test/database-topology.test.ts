import { afterAll, describe, expect, it } from "vitest";
import { withDatabase } from "@fediflow/postgres";
import { TestStack, ThrowawayPgBouncer, ThrowawayPostgres, createNote, waitFor } from "../src";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Six followers on three hosts, one post, status to done: the walking skeleton's scenario. */
async function deliverOnePost(t: TestStack): Promise<Record<string, unknown>> {
  const actor = await t.registerActor("alice");
  const followers = t.fediverse.hosts.flatMap((host) => [1, 2].map((n) => ({ id: host.actorOf(`u${n}`), inbox: host.inboxOf(`u${n}`) })));
  expect((await t.api("POST", "/v1/followers", { actor: actor.id, add: followers })).status).toBe(200);
  const accepted = await t.api("POST", "/v1/activities", {
    actor: actor.id,
    activity: createNote(actor.id),
    audience: { followers: true },
  });
  expect(accepted.status).toBe(202);
  return t.waitUntilDone(accepted.body.id as string);
}

describe("FediFlow on production database topologies", () => {
  it("works end to end through PgBouncer in transaction pooling mode", async () => {
    const bouncer = await ThrowawayPgBouncer.start(5432);
    cleanups.push(() => bouncer.stop());
    const t = await TestStack.start({ fediverse: { hosts: 3 }, database: { serviceUrl: (_direct, name) => bouncer.url(name) } });
    cleanups.push(() => t.stop());
    const status = await deliverOnePost(t);
    expect(status.inboxes).toMatchObject({ total: 6, delivered: 6 });
    // The services really are the pooler's clients: its admin console lists them.
    const clients = new Set(await bouncer.clients());
    for (const service of ["fediflow-outbox", "fediflow-fan-out", "fediflow-delivery", "fediflow-host-health"])
      expect(clients).toContain(service);
    await t.stop();
    cleanups.pop();
  });

  it("reads status from a streaming replica and still reaches done", async () => {
    const primary = await ThrowawayPostgres.create();
    cleanups.push(() => primary.destroy());
    const replica = await ThrowawayPostgres.replicaOf(primary);
    cleanups.push(() => replica.destroy());
    const t = await TestStack.start({
      fediverse: { hosts: 3 },
      database: { server: primary.url(), readUrl: (_direct, name) => withDatabase(replica.url(), name) },
    });
    cleanups.push(() => t.stop());
    const status = await deliverOnePost(t);
    expect(status.inboxes).toMatchObject({ total: 6, delivered: 6 });
    // The replica really serves reads: outbox's read pool is connected to it.
    const readers = await new (await import("pg")).default.Client({ connectionString: withDatabase(replica.url(), "postgres") });
    await readers.connect();
    const reading = await readers.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fediflow-outbox-read'");
    await readers.end();
    expect(reading.rows[0].n).toBeGreaterThan(0);
    await t.stop();
    cleanups.pop();
  });

  it("retention removes finished activities while a stream runs, and loses no delivery", async () => {
    const t = await TestStack.start({
      fediverse: { hosts: 3 },
      serviceEnv: {
        outbox: { FEDIFLOW_RETENTION_FINISHED_MS: "3000", FEDIFLOW_RETENTION_INTERVAL_MS: "500", FEDIFLOW_RETENTION_BATCH_ROWS: "2" },
      },
    });
    cleanups.push(() => t.stop());
    const actor = await t.registerActor("alice");
    const followers = t.fediverse.hosts.flatMap((host) =>
      [1, 2, 3].map((n) => ({ id: host.actorOf(`u${n}`), inbox: host.inboxOf(`u${n}`) })),
    );
    await t.api("POST", "/v1/followers", { actor: actor.id, add: followers });
    const ids: string[] = [];
    const doneAt = new Map<string, number>();
    for (let i = 0; i < 12; i += 1) {
      const accepted = await t.api("POST", "/v1/activities", {
        actor: actor.id,
        activity: createNote(actor.id),
        audience: { followers: true },
      });
      ids.push(accepted.body.id as string);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const id of ids) {
        if (doneAt.has(id)) continue;
        const status = await t.api("GET", `/v1/activities/${id}`);
        if (status.body.state === "done") doneAt.set(id, Date.now());
      }
    }
    // Every activity finished and every inbox got every post, though early ones are gone from the database by now.
    await waitFor(
      "every post at every inbox",
      () => t.fediverse.allReceived().filter((p) => p.status === 202).length === 12 * 9 || undefined,
      60_000,
    );
    await waitFor(
      "the first activities removed",
      async () => (await t.api("GET", `/v1/activities/${ids[0]}`)).status === 410 || undefined,
      30_000,
    );
    const gone = await t.api("GET", `/v1/activities/${ids[0]}`);
    expect(gone.body).toMatchObject({ type: "urn:fediflow:problem:activity-purged", status: 410 });
    const leftovers = await t.db.query("SELECT count(*)::int AS n FROM delivery_outcomes WHERE activity_id = $1", [ids[0]]);
    expect(leftovers.rows[0].n).toBe(0);
    // The newest is still there (it finished less than 3 s ago) or finished in full before going.
    const last = await t.api("GET", `/v1/activities/${ids.at(-1)}`);
    expect([200, 410]).toContain(last.status);
    if (last.status === 200) expect(last.body.state).toBe("done");
    await t.stop();
    cleanups.pop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadLetterTable, classifyFailure, type DeadLetter } from "@fediflow/kafka";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { AccountingStore } from "../src/accounting-store";
import { QuarantineStore } from "../src/quarantine-store";

let database: ScratchDatabase;
let pool: Pool;
let quarantine: QuarantineStore;

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "quarantine-test" });
  quarantine = new QuarantineStore(pool);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const report = { activityId: "0190f1a2-0000-7000-8000-00000000dead", inbox: "https://a.example/inbox", host: "a.example" };

function letter(offset: number, value: string | null): DeadLetter {
  return {
    topic: "fediflow.delivery-outcomes",
    partition: 2,
    offset,
    key: "0190f1a2-0000-7000-8000-00000000dead",
    value: value === null ? null : Buffer.from(value, "utf8"),
    headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    group: "fediflow.outbox-accounting",
    reason: "integrity-constraint",
    errorClass: "error",
    errorMessage: 'insert or update on table "delivery_outcomes" violates foreign key constraint',
    quarantinedAt: new Date("2026-01-02T03:04:05Z"),
  };
}

describe("the quarantine's known case: an outcome of an activity retention removed", () => {
  it("fails accounting with a foreign-key violation, which is permanent", async () => {
    const accounting = new AccountingStore(pool);
    const failure = await accounting
      .record([{ ...report, outcome: "delivered", status: 202, reason: null, attempt: 1, attemptedAt: Date.now(), nextAttemptAt: null, redriveId: null }])
      .then(() => undefined, (error: unknown) => error);
    expect(failure).toMatchObject({ code: expect.stringMatching(/^23/) });
    expect(classifyFailure(failure)).toEqual({ kind: "permanent", reason: "integrity-constraint" });
  });
});

describe("QuarantineStore", () => {
  it("keeps a message once, lists it in keyset pages, redrives it byte for byte once", async () => {
    const consumers = new DeadLetterTable(pool);
    const value = JSON.stringify({ ...report, outcome: "delivered", note: "ünïcode" });
    await consumers.add(letter(41, value));
    await consumers.add(letter(41, value)); // met again after a crash: kept once
    await consumers.add(letter(42, null));

    const all = await quarantine.list(0, 10);
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      topic: "fediflow.delivery-outcomes",
      partition: 2,
      offset: 41,
      group: "fediflow.outbox-accounting",
      reason: "integrity-constraint",
      error: 'error: insert or update on table "delivery_outcomes" violates foreign key constraint',
      quarantinedAt: new Date("2026-01-02T03:04:05Z"),
      redrivenAt: null,
    });
    expect(await quarantine.list(all[0]!.id, 10)).toEqual([all[1]]);

    expect(await quarantine.redrive(all[0]!.id, { traceparent: "00-aa-bb-01" })).toEqual({ redriven: 1 });
    const queued = await pool.query<{ topic: string; message_key: string; payload: string }>("SELECT topic, message_key, payload FROM outbox_messages");
    expect(queued.rows).toEqual([{ topic: "fediflow.delivery-outcomes", message_key: report.activityId, payload: value }]);
    expect((await quarantine.list(0, 1))[0]!.redrivenAt).toBeInstanceOf(Date);

    // Again: nothing more is sent.
    expect(await quarantine.redrive(all[0]!.id, {})).toEqual({ redriven: 0 });
    expect((await pool.query("SELECT 1 FROM outbox_messages")).rowCount).toBe(1);
    expect(await quarantine.redrive(999_999, {})).toBeNull();
    await expect(quarantine.redrive(all[1]!.id, {})).rejects.toThrow(/no value/);
  });
});

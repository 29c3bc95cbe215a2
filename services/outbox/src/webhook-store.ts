import { randomBytes, randomUUID } from "node:crypto";
import { openSecret, sealSecret } from "@fediflow/activitypub";
import type { WebhookEvent } from "@fediflow/contracts";
import { inTransaction, type Pool } from "@fediflow/postgres";
import { pauses, type WebhookPolicy, type WebhookVerdict } from "./webhook-policy";

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  failures: number;
  pausedAt: Date | null;
  createdAt: Date;
}

export interface WebhookAttempt {
  eventId: string;
  eventType: string;
  attempt: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  result: "delivered" | "retrying" | "failed";
  at: Date;
}

/** An event claimed for sending to one endpoint. */
export interface DueWebhook {
  id: number;
  endpointId: string;
  url: string;
  secret: string;
  event: WebhookEvent;
  attempt: number;
  firstAttemptAt: number | null;
}

/** Attempts kept per endpoint for GET /v1/webhooks/{id}/deliveries. */
const attemptsKept = 100;

/** A fresh Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`;

/** Webhook subscriptions and the events waiting for them (tables webhook_*). */
export class WebhookStore {
  constructor(
    private readonly pool: Pool,
    private readonly keyEncryptionKey: Buffer,
    private readonly policy: WebhookPolicy,
  ) {}

  /** `application`: the owner, told only of its own actors' events (null: told of every event). */
  async create(url: string, events: string[], secret: string, application: string | null = null): Promise<string> {
    const id = randomUUID();
    await this.pool.query("INSERT INTO webhook_endpoints (id, url, events, secret_sealed, application) VALUES ($1, $2, $3, $4, $5)", [
      id,
      url,
      events,
      sealSecret(secret, this.keyEncryptionKey),
      application,
    ]);
    return id;
  }

  /** Every endpoint, or only those an application owns. */
  async list(application: string | null = null): Promise<WebhookEndpoint[]> {
    const result = await this.pool.query<{ id: string; url: string; events: string[]; failures: number; paused_at: Date | null; created_at: Date }>(
      `SELECT id, url, events, failures, paused_at, created_at FROM webhook_endpoints
        WHERE $1::text IS NULL OR application = $1 ORDER BY created_at, id`,
      [application],
    );
    return result.rows.map((row) => ({ id: row.id, url: row.url, events: row.events, failures: row.failures, pausedAt: row.paused_at, createdAt: row.created_at }));
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.pool.query("DELETE FROM webhook_endpoints WHERE id = $1", [id])).rowCount ?? 0) > 0;
  }

  /** Sends a paused endpoint's waiting events again from now. False for an unknown endpoint. */
  async resume(id: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const updated = await client.query("UPDATE webhook_endpoints SET paused_at = NULL, failures = 0 WHERE id = $1", [id]);
      if ((updated.rowCount ?? 0) === 0) return false;
      await client.query("UPDATE webhook_deliveries SET due_at = now(), first_attempt_at = NULL, attempt = 0 WHERE endpoint_id = $1", [id]);
      return true;
    });
  }

  /** Newest first; null for an unknown endpoint. */
  async attempts(id: string, limit: number): Promise<WebhookAttempt[] | null> {
    const known = await this.pool.query("SELECT 1 FROM webhook_endpoints WHERE id = $1", [id]);
    if (known.rowCount === 0) return null;
    const result = await this.pool.query<{
      event_id: string;
      event_type: string;
      attempt: number;
      status: number | null;
      error: string | null;
      duration_ms: number;
      result: WebhookAttempt["result"];
      at: Date;
    }>("SELECT * FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2", [id, limit]);
    return result.rows.map((row) => ({
      eventId: row.event_id,
      eventType: row.event_type,
      attempt: row.attempt,
      status: row.status,
      error: row.error,
      durationMs: row.duration_ms,
      result: row.result,
      at: row.at,
    }));
  }

  /**
   * Queues each event for every endpoint subscribed to its type; a redelivered event adds nothing.
   * An application's endpoint hears of an activity or a follower only when the actor is its own
   * (host events concern every application); an endpoint without an owner hears of everything.
   */
  async enqueue(events: WebhookEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const result = await this.pool.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, event, due_at)
       SELECT e.id, x.id, x.event, now()
         FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS x(id, type, event)
         JOIN webhook_endpoints e ON x.type = ANY(e.events)
         LEFT JOIN LATERAL (
           SELECT ac.application FROM actors ac
            WHERE ac.id = CASE x.type
                            WHEN 'follower.gone' THEN x.event->'data'->>'actor'
                            WHEN 'activity.completed' THEN (SELECT a.actor_id FROM activities a WHERE a.id::text = x.event->'data'->>'id')
                          END) owner ON true
        WHERE e.application IS NULL OR x.type LIKE 'host.%' OR e.application = owner.application
       ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      [events.map((e) => e.id), events.map((e) => e.type), events.map((e) => JSON.stringify(e))],
    );
    return result.rowCount ?? 0;
  }

  /** Due events of endpoints that are not paused, claimed for a lease. */
  async claimDue(limit: number, leaseMs: number): Promise<DueWebhook[]> {
    const result = await this.pool.query<{
      id: number;
      endpoint_id: string;
      event: WebhookEvent;
      attempt: number;
      first_attempt_at: Date | null;
      url: string;
      secret_sealed: Buffer;
    }>(
      `WITH claimed AS (
         UPDATE webhook_deliveries SET claimed_until = now() + $2 * interval '1 millisecond'
          WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                        WHERE e.paused_at IS NULL AND d.due_at <= now() AND (d.claimed_until IS NULL OR d.claimed_until < now())
                        ORDER BY d.due_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
          RETURNING id, endpoint_id, event, attempt, first_attempt_at)
       SELECT c.*, e.url, e.secret_sealed FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
      [limit, leaseMs],
    );
    return result.rows.map((row) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      url: row.url,
      secret: openSecret(row.secret_sealed, this.keyEncryptionKey),
      event: row.event,
      attempt: row.attempt,
      firstAttemptAt: row.first_attempt_at?.getTime() ?? null,
    }));
  }

  /** Records an attempt and what it decided: the row leaves, or waits for its retry; the endpoint's failure count follows. */
  async settle(due: DueWebhook, answer: { status: number | null; error: string | null; durationMs: number }, verdict: WebhookVerdict, attemptedAt: number): Promise<void> {
    const attempt = due.attempt + 1;
    const result = verdict.kind === "retry" ? "retrying" : verdict.kind;
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO webhook_attempts (endpoint_id, event_id, event_type, attempt, status, error, duration_ms, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [due.endpointId, due.event.id, due.event.type, attempt, answer.status, answer.error, answer.durationMs, result],
      );
      await client.query(
        `DELETE FROM webhook_attempts WHERE endpoint_id = $1 AND id <= (
           SELECT id FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
        [due.endpointId, attemptsKept],
      );
      if (verdict.kind === "retry") {
        await client.query(
          `UPDATE webhook_deliveries SET attempt = $2, first_attempt_at = COALESCE(first_attempt_at, to_timestamp($3 / 1000.0)),
                  due_at = to_timestamp($4 / 1000.0), claimed_until = NULL WHERE id = $1`,
          [due.id, attempt, attemptedAt, verdict.at],
        );
      } else {
        await client.query("DELETE FROM webhook_deliveries WHERE id = $1", [due.id]);
      }
      if (verdict.kind === "delivered") await client.query("UPDATE webhook_endpoints SET failures = 0 WHERE id = $1", [due.endpointId]);
      else {
        const updated = await client.query<{ failures: number }>(
          "UPDATE webhook_endpoints SET failures = failures + 1 WHERE id = $1 RETURNING failures",
          [due.endpointId],
        );
        const failures = updated.rows[0]?.failures ?? 0;
        if (pauses(this.policy, failures))
          await client.query("UPDATE webhook_endpoints SET paused_at = COALESCE(paused_at, now()) WHERE id = $1", [due.endpointId]);
      }
    });
  }
}

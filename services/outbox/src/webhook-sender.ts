import { Webhook } from "standardwebhooks";
import { consumerGroups, topics, type WebhookEvent } from "@fediflow/contracts";
import { BatchConsumer, type ConsumerTiming, type Kafka, type Quarantine } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";
import { webhookVerdict, type WebhookPolicy } from "./webhook-policy";
import type { DueWebhook, WebhookStore } from "./webhook-store";

/** Queues every webhook event for its subscribers; its own consumer group, apart from accounting. */
export function webhookEventsConsumer(
  kafka: Kafka,
  store: WebhookStore,
  logger: Logger,
  timing: ConsumerTiming,
  quarantine?: Quarantine,
): BatchConsumer<WebhookEvent> {
  return new BatchConsumer({
    kafka,
    groupId: consumerGroups.outboxWebhooks,
    topic: topics.webhookEvents,
    logger,
    timing,
    quarantine,
    handleBatch: async (messages) => void (await store.enqueue(messages.map((message) => message.value))),
  });
}

export interface WebhookSenderOptions {
  store: WebhookStore;
  policy: WebhookPolicy;
  logger: Logger;
  /** How often due events are looked for, ms. */
  pollMs: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Whole-request timeout, ms. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Sends queued webhook events (Standard Webhooks: webhook-id is the event's id on every attempt,
 * webhook-timestamp, webhook-signature with HMAC-SHA256), retrying with backoff. It runs beside
 * the relay in outbox; activity deliveries never wait on it.
 */
export class WebhookSender {
  private running = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: WebhookSenderOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      try {
        const due = await this.options.store.claimDue(this.options.concurrency, this.options.timeoutMs * 3);
        await Promise.all(due.map((webhook) => this.send(webhook)));
        sent = due.length;
      } catch (error) {
        this.options.logger.warn({ err: error }, "webhook round failed; claimed events are sent again after their lease");
      }
      if (sent === 0 && this.running)
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.options.pollMs);
        });
    }
  }

  private async send(due: DueWebhook): Promise<void> {
    const { event } = due;
    const payload = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
    const sentAt = new Date();
    const headers = {
      "content-type": "application/json",
      "user-agent": "FediFlow-Webhooks",
      "webhook-id": event.id,
      "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
      "webhook-signature": new Webhook(due.secret).sign(event.id, sentAt, payload),
    };
    const started = performance.now();
    let answer: { status: number | null; error: string | null };
    try {
      const response = await (this.options.fetch ?? fetch)(due.url, {
        method: "POST",
        headers,
        body: payload,
        redirect: "manual",
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      answer = { status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      answer = { status: null, error: (error as Error).name === "TimeoutError" ? "timeout" : (error as Error).message };
    }
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const now = Date.now();
    const verdict = webhookVerdict(this.options.policy, answer, due.attempt + 1, due.firstAttemptAt ?? now, now);
    await this.options.store.settle(due, { ...answer, durationMs }, verdict, now);
    if (verdict.kind === "failed") this.options.logger.warn({ endpoint: due.endpointId, event: event.id }, `webhook event given up: ${verdict.reason}`);
  }
}

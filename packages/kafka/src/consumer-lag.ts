import type { Admin } from "kafkajs";
import type { Kafka } from "./client";
import { Counter, Gauge, type Registry } from "prom-client";

export interface PartitionLag {
  partition: number;
  highWatermark: number;
  committed: number;
  lag: number;
}

/** A consumer whose lag can be reported: its group, and what it owns and has done. */
export interface LaggingConsumer {
  groupId: string;
  topic: string;
  ownedPartitions(): number[];
  /** Messages finished since the process started. */
  readonly finished: number;
}

/**
 * Lag of a consumer group on the partitions this process owns: the broker's high watermark
 * minus the group's committed offset, as Kafka's tools and KEDA's Kafka scaler compute it.
 * Read from the broker (not from fetched batches), so a saturated consumer that stopped
 * fetching still reports its true backlog. Cached briefly: scrapes must not hammer Kafka.
 */
export class ConsumerLag {
  private admin: Admin | undefined;
  private cached: { at: number; value: PartitionLag[] } | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly consumer: LaggingConsumer,
    private readonly cacheMs = 2_000,
  ) {}

  async read(): Promise<PartitionLag[]> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.value;
    const owned = new Set(this.consumer.ownedPartitions());
    if (owned.size === 0) return [];
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const [ends, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(this.consumer.topic),
      this.admin.fetchOffsets({ groupId: this.consumer.groupId, topics: [this.consumer.topic] }),
    ]);
    const commits = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    const value = ends
      .filter((end) => owned.has(end.partition))
      .map((end) => {
        const highWatermark = Number(end.high);
        const at = commits.get(end.partition) ?? -1;
        const start = at >= 0 ? at : Number(end.low);
        return { partition: end.partition, highWatermark, committed: at, lag: Math.max(highWatermark - start, 0) };
      });
    this.cached = { at: Date.now(), value };
    return value;
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}

/** Messages finished per second over the last `windowMs`, from samples of a running count. */
export class DrainRate {
  private samples: Array<{ at: number; count: number }> = [];

  constructor(private readonly windowMs = 30_000) {}

  rate(count: number, now = Date.now()): number {
    this.samples.push({ at: now, count });
    this.samples = this.samples.filter((sample) => now - sample.at <= this.windowMs);
    const first = this.samples[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? (count - first.count) / seconds : 0;
  }
}

/** Reported instead of "forever" when a process has lag and drains nothing (yet). */
export const lagSecondsCap = 3_600;

/**
 * fediflow_consumer_lag_messages{group,topic,partition} for the partitions this process owns
 * (summed over processes: the group's lag), fediflow_consumer_messages_total{group} (messages
 * finished, whose rate is the group's drain rate) and fediflow_consumer_lag_seconds{group}:
 * this process's lag over its own recent rate, capped at an hour. Scale on the group's figure,
 * sum(lag) / sum(rate): a pod that just started has no rate yet. One set of metrics for all
 * the consumers a process runs.
 */
export function registerConsumerLagMetrics(registry: Registry, kafka: Kafka, consumers: LaggingConsumer[]): { close(): Promise<void> } {
  const tracked = consumers.map((consumer) => ({ consumer, lag: new ConsumerLag(kafka, consumer), drain: new DrainRate(), latest: [] as PartitionLag[] }));
  const refresh = () =>
    Promise.all(
      tracked.map(async (entry) => {
        entry.latest = await entry.lag.read().catch(() => entry.latest);
      }),
    );
  new Gauge({
    name: "fediflow_consumer_lag_messages",
    help: "Messages not yet consumed, per partition this process owns (high watermark minus committed offset)",
    labelNames: ["group", "topic", "partition"],
    registers: [registry],
    async collect() {
      await refresh();
      this.reset();
      for (const { consumer, latest } of tracked) {
        for (const partition of latest) this.set({ group: consumer.groupId, topic: consumer.topic, partition: String(partition.partition) }, partition.lag);
      }
    },
  });
  new Counter({
    name: "fediflow_consumer_messages_total",
    help: "Messages this process finished consuming",
    labelNames: ["group"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { consumer } of tracked) this.inc({ group: consumer.groupId }, consumer.finished);
    },
  });
  new Gauge({
    name: "fediflow_consumer_lag_seconds",
    help: "Estimated seconds for this process to drain its lag at its rate over the last 30 s (at most 3600)",
    labelNames: ["group"],
    registers: [registry],
    async collect() {
      await refresh();
      for (const { consumer, latest, drain } of tracked) {
        const total = latest.reduce((sum, partition) => sum + partition.lag, 0);
        const rate = drain.rate(consumer.finished);
        this.set({ group: consumer.groupId }, total === 0 ? 0 : Math.min(rate > 0 ? total / rate : lagSecondsCap, lagSecondsCap));
      }
    },
  });
  return { close: async () => void (await Promise.all(tracked.map((entry) => entry.lag.close()))) };
}

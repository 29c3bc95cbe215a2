import { LRUCache } from "lru-cache";
import { topics, type DeliveryJob, type DeliveryReport } from "@fediflow/contracts";
import type { TopicProducer } from "@fediflow/kafka";
import { unsampledHeaders } from "@fediflow/telemetry";

/**
 * Publishes a chunk: jobs to the deliveries topic and settled outcomes to the outcomes topic,
 * both keyed by host (one host's messages share a partition), the two sends in parallel.
 * Resolves once the brokers acknowledged everything (acks=all), so a checkpoint after it is true.
 *
 * The first `tracedHostsPerActivity` jobs of an activity carry the trace as it is; later ones
 * keep the trace id with sampling off, so a fan-out to 30,000 hosts stays readable in Jaeger
 * (delivery still records every failed or retried attempt).
 */
export function deliveryPublisher(
  producer: TopicProducer,
  tracedHostsPerActivity: number,
): (jobs: DeliveryJob[], reports: DeliveryReport[]) => Promise<void> {
  const published = new LRUCache<string, number>({ max: 10_000 });
  return async (jobs, reports) => {
    const untraced = new Set<DeliveryJob>();
    for (const job of jobs) {
      const count = published.get(job.activityId) ?? 0;
      published.set(job.activityId, count + 1);
      if (count >= tracedHostsPerActivity) untraced.add(job);
    }
    await Promise.all([
      producer.send(topics.deliveries, jobs, (job) => (untraced.has(job) ? unsampledHeaders() : undefined)),
      producer.send(topics.outcomes, reports),
    ]);
  };
}

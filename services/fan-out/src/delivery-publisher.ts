import { topics, type DeliveryJob, type DeliveryReport } from "@fediflow/contracts";
import type { TopicProducer } from "@fediflow/kafka";

/**
 * Publishes a chunk: jobs to the deliveries topic and settled outcomes to the outcomes topic,
 * both keyed by host (one host's messages share a partition), the two sends in parallel.
 * Resolves once the brokers acknowledged everything (acks=all), so a checkpoint after it is true.
 */
export function deliveryPublisher(producer: TopicProducer): (jobs: DeliveryJob[], reports: DeliveryReport[]) => Promise<void> {
  return async (jobs, reports) => {
    await Promise.all([
      producer.send(
        topics.deliveries,
        jobs.map((job) => ({ key: job.host, value: job })),
      ),
      producer.send(
        topics.outcomes,
        reports.map((report) => ({ key: report.host, value: report })),
      ),
    ]);
  };
}

import type { Kafka, Producer } from "kafkajs";
import type { TopicSpec } from "@fediflow/contracts";
import { encodeValue } from "./codec";

export interface OutgoingMessage<V> {
  key: string;
  value: V;
  headers?: Record<string, string>;
}

/** A connected producer that only sends values its topic's schema allows. */
export class TopicProducer {
  private constructor(private readonly producer: Producer) {}

  /**
   * @param ordered true limits the producer to one request in flight, so a retried request
   *   cannot overtake a later one (per-key order survives broker errors).
   */
  static async connect(kafka: Kafka, ordered = false): Promise<TopicProducer> {
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      maxInFlightRequests: ordered ? 1 : undefined,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    await producer.connect();
    return new TopicProducer(producer);
  }

  async send<V>(spec: TopicSpec<V>, messages: OutgoingMessage<V>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({
      topic: spec.name,
      acks: -1,
      messages: messages.map((message) => ({
        key: message.key,
        value: encodeValue(spec, message.value),
        headers: message.headers,
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

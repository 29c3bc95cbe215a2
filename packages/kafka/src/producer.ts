import type { Producer } from "kafkajs";
import type { Kafka } from "./client";
import type { TopicSpec } from "@fediflow/contracts";
import type { Context } from "@fediflow/telemetry";
import { encodeValue } from "./codec";
import { traceSend, traceSendEach } from "./tracing";

export interface OutgoingMessage<V> {
  key: string;
  value: V;
  headers?: Record<string, string>;
}

/** A connected producer that only sends values its topic's schema allows. */
export class TopicProducer {
  private constructor(
    private readonly producer: Producer,
    private readonly kafka: Kafka,
  ) {}

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
    return new TopicProducer(producer, kafka);
  }

  /** Sends in one `send <topic>` span; messages without a trace context of their own get its. */
  async send<V>(spec: TopicSpec<V>, messages: OutgoingMessage<V>[]): Promise<void> {
    if (messages.length === 0) return;
    const outgoing = messages.map((message) => ({
      key: message.key,
      value: encodeValue(spec, message.value),
      headers: message.headers ? { ...message.headers } : undefined,
    }));
    const topic = this.kafka.topicName(spec);
    await traceSend(topic, outgoing, () => this.producer.send({ topic, acks: -1, messages: outgoing }));
  }

  /**
   * Sends already-encoded values, each in a send span under its own parent context (the outbox
   * relay). `topicName` is the contract's name; the namespace is added here.
   */
  async sendEncoded(topicName: string, messages: Array<{ key: string; value: string; parent: Context }>): Promise<void> {
    if (messages.length === 0) return;
    const topic = this.kafka.topicName({ name: topicName });
    const outgoing = messages.map((message) => ({
      key: message.key,
      value: message.value,
      headers: {} as Record<string, string>,
      parent: message.parent,
    }));
    await traceSendEach(topic, outgoing, () =>
      this.producer.send({ topic, acks: -1, messages: outgoing.map(({ key, value, headers }) => ({ key, value, headers })) }),
    );
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

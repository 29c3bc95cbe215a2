import type { IHeaders, KafkaMessage } from "kafkajs";
import type { TopicSpec } from "@fediflow/contracts";

/** A message that did not match its topic's schema; never retried, since it never will. */
export class UndecodableMessage extends Error {
  constructor(topic: string, reason: string) {
    super(`undecodable message on ${topic}: ${reason}`);
    this.name = "UndecodableMessage";
  }
}

export function encodeValue<V>(_spec: TopicSpec<V>, value: V): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function decodeValue<V>(spec: TopicSpec<V>, raw: Buffer | null): V {
  if (raw === null) throw new UndecodableMessage(spec.name, "empty value");
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new UndecodableMessage(spec.name, "not JSON");
  }
  const parsed = spec.value.safeParse(json);
  if (!parsed.success) throw new UndecodableMessage(spec.name, parsed.error.message);
  return parsed.data;
}

/** Kafka headers as plain strings (W3C trace context travels here). */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export interface ConsumedMessage<V> {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: V;
  headers: Record<string, string>;
  /** Broker timestamp, epoch milliseconds. */
  timestamp: number;
  /**
   * The message was already in the log when this member was given its partition, at or above
   * the committed offset: an earlier owner may have done it, in part or whole, before a crash or
   * a rebalance. Messages published later are false, so checking costs nothing on the normal path.
   * Set by the ParallelConsumer (batch consumers' handlers are idempotent instead).
   */
  mayBeRedelivered?: boolean;
}

/** A fetched message, decoded; throws UndecodableMessage when its value fits no schema. */
export function consumedMessage<V>(spec: TopicSpec<V>, topic: string, partition: number, raw: KafkaMessage): ConsumedMessage<V> {
  return {
    topic,
    partition,
    offset: Number(raw.offset),
    key: raw.key?.toString() ?? "",
    value: decodeValue(spec, raw.value),
    headers: readHeaders(raw.headers),
    timestamp: Number(raw.timestamp),
  };
}

import {
  ROOT_CONTEXT,
  SpanKind,
  attributes,
  context,
  contextFromHeaders,
  failSpan,
  propagation,
  trace,
  tracer,
  type Context,
  type Span,
} from "@fediflow/telemetry";

const kafka = { [attributes.messagingSystem]: "kafka" };

/** A producer span's kind and messaging attributes for a send to `topic`. */
const sendSpanOptions = (topic: string, extra: Record<string, number> = {}) => ({
  kind: SpanKind.PRODUCER,
  attributes: {
    ...kafka,
    [attributes.messagingOperationType]: "send",
    [attributes.messagingOperationName]: "send",
    [attributes.messagingDestination]: topic,
    ...extra,
  },
});

/**
 * One `send <topic>` span (PRODUCER) around a produce request, its context injected into every
 * message that does not already carry a trace context of its own (a caller may hand a message
 * a different parent, e.g. an unsampled one).
 */
export async function traceSend<T>(
  topic: string,
  messages: Array<{ headers?: Record<string, string> }>,
  send: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    `send ${topic}`,
    sendSpanOptions(topic, { [attributes.messagingBatchCount]: messages.length }),
    async (span) => {
      for (const message of messages) {
        if (message.headers?.traceparent) continue;
        message.headers ??= {};
        propagation.inject(context.active(), message.headers);
      }
      try {
        return await send();
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * A `send <topic>` span per message, each under its own parent context (the outbox relay
 * publishes every activity in the trace of the API call that accepted it), injected into that
 * message's headers; one produce request carries them all.
 */
export async function traceSendEach<T>(
  topic: string,
  messages: Array<{ parent: Context; headers: Record<string, string> }>,
  send: () => Promise<T>,
): Promise<T> {
  const spans = messages.map((message) => {
    const span = tracer.startSpan(
      `send ${topic}`,
      sendSpanOptions(topic),
      message.parent,
    );
    propagation.inject(trace.setSpan(message.parent, span), message.headers);
    return span;
  });
  try {
    return await send();
  } catch (error) {
    for (const span of spans) failSpan(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

export interface ProcessedMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
}

function processAttributes(group: string, message: ProcessedMessage) {
  return {
    ...kafka,
    [attributes.messagingOperationType]: "process",
    [attributes.messagingOperationName]: "process",
    [attributes.messagingDestination]: message.topic,
    [attributes.messagingPartition]: String(message.partition),
    [attributes.messagingConsumerGroup]: group,
    [attributes.messagingKafkaKey]: message.key,
    [attributes.messagingKafkaOffset]: message.offset,
  };
}

/** Runs fn in a `process <topic>` span (CONSUMER), child of the trace context the message carries. */
export function traceProcess<T>(group: string, message: ProcessedMessage, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(
    `process ${message.topic}`,
    { kind: SpanKind.CONSUMER, attributes: processAttributes(group, message) },
    contextFromHeaders(message.headers),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * For consumers that handle a whole batch at once: one `process <topic>` span per message, each
 * in its own message's trace, open while the batch is handled (outside any of them).
 */
export async function traceProcessBatch<T>(group: string, messages: ProcessedMessage[], fn: () => Promise<T>): Promise<T> {
  const spans = messages.map((message) =>
    tracer.startSpan(
      `process ${message.topic}`,
      { kind: SpanKind.CONSUMER, attributes: processAttributes(group, message) },
      contextFromHeaders(message.headers),
    ),
  );
  try {
    return await context.with(ROOT_CONTEXT, fn);
  } catch (error) {
    for (const span of spans) failSpan(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

import { context, propagation, trace, type Context } from "@opentelemetry/api";

export { trace, context, propagation };

/** The W3C trace context (traceparent, tracestate, baggage) of the active span, as headers. */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The trace id of the active span, or undefined outside a trace. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id && id !== "00000000000000000000000000000000" ? id : undefined;
}

/** The context carried in headers (Kafka headers, stored outbox headers). */
export function contextFromHeaders(headers: Record<string, string>): Context {
  return propagation.extract(context.active(), headers);
}

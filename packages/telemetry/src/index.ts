import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  createContextKey,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Span,
  type SpanContext,
} from "@opentelemetry/api";

export { trace, context, propagation, SpanKind, SpanStatusCode, ROOT_CONTEXT };
export type { Context, Span, SpanContext };
export * from "./attributes";

/** FediFlow's tracer for the spans it makes itself (Kafka, deliveries). */
export const tracer = trace.getTracer("fediflow");

/** The W3C trace context (traceparent, tracestate, baggage) of a context, as headers. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The W3C trace context of the active span, as headers. */
export const currentTraceHeaders = (): Record<string, string> => traceHeaders(context.active());

/** The trace id of the active span, or undefined outside a trace. */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && id !== "00000000000000000000000000000000" ? id : undefined;
}

/** The context carried in headers (Kafka headers, stored outbox headers), rooted nowhere else. */
export function contextFromHeaders(headers: Record<string, string> | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers ?? {});
}

/** Headers that keep the trace id but tell the next process not to record its spans. */
export function unsampledHeaders(ctx: Context = context.active()): Record<string, string> {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext) return {};
  return traceHeaders(trace.setSpanContext(ctx, { ...spanContext, traceFlags: TraceFlags.NONE }));
}

/** The same parent, marked sampled: a span started under it is recorded whatever came before. */
export function sampled(ctx: Context): Context {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext) return ctx;
  return trace.setSpanContext(ctx, { ...spanContext, traceFlags: TraceFlags.SAMPLED });
}

/** A span context from a traceparent string (for links), or undefined. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  if (!traceparent) return undefined;
  return trace.getSpanContext(contextFromHeaders({ traceparent }));
}

/** Marks a span failed with a short error type, as the semantic conventions ask. */
export function failSpan(span: Span, error: unknown, type?: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute("error.type", type ?? (error instanceof Error ? error.name : "error"));
}

/** The W3C traceparent of a span context. */
export function traceparentOf(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, "0")}`;
}

/** Marks a context whose trace must not leave FediFlow (requests to remote servers). */
const keptInside = createContextKey("fediflow.trace-kept-inside");

/**
 * Runs `work` so that nothing it sends carries FediFlow's trace context: spans are still
 * recorded, but no traceparent, tracestate or baggage header is injected. For requests to
 * remote servers, which have no business learning internal trace ids.
 */
export function withoutTracePropagation<T>(work: () => T): T {
  return context.with(context.active().setValue(keptInside, true), work);
}

/** A propagator that injects nothing in a context marked by withoutTracePropagation. */
export class InsideOnlyPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    if (ctx.getValue(keptInside) === true) return;
    this.inner.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(ctx, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}

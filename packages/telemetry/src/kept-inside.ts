import {
  context,
  createContextKey,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from "@opentelemetry/api";

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

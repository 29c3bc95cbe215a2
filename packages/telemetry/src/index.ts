export { trace, context, propagation, SpanKind, SpanStatusCode, ROOT_CONTEXT } from "@opentelemetry/api";
export type { Context, Span, SpanContext } from "@opentelemetry/api";
export * from "./attributes";
export * from "./trace-context";
export { flushSpans } from "./flush";
export * from "./kept-inside";

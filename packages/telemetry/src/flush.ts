import { trace } from "@opentelemetry/api";

interface Flushable {
  forceFlush(): Promise<void>;
}

const isFlushable = (provider: unknown): provider is Flushable =>
  typeof (provider as Partial<Flushable> | undefined)?.forceFlush === "function";

/**
 * Exports the spans still buffered by the batch processor. The SDK registered by
 * `@fediflow/telemetry/register` sits behind the API's global proxy provider, which is shared by
 * every copy of @opentelemetry/api in the process, so this reaches it without a module-level
 * handle. Without a registered SDK there is nothing to flush and it resolves at once.
 */
export async function flushSpans(): Promise<void> {
  const global = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = typeof global.getDelegate === "function" ? global.getDelegate() : global;
  if (isFlushable(provider)) await provider.forceFlush();
}

// Preloaded with `node --require @fediflow/telemetry/register`, before any instrumented module
// (http, express, grpc-js, pg, ioredis, undici, pino) is loaded, so their patches apply.
// Export is configured only by the standard OTEL_* variables. Kafka spans are FediFlow's own
// (packages/kafka/src/tracing.ts): the kafkajs instrumentation ends its process spans when
// eachBatch returns, before FediFlow's out-of-order consumers have done the work, and makes a
// span per produced message, which a fan-out to 30,000 hosts cannot afford.
import { readFileSync } from "node:fs";
import path from "node:path";
import { NodeSDK, core } from "@opentelemetry/sdk-node";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ExpressInstrumentation } from "@opentelemetry/instrumentation-express";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { InsideOnlyPropagator } from "./index";

/** The nearest package.json above the entry script: "@fediflow/delivery" → "fediflow-delivery". */
function serviceIdentity(): { name: string; version: string } {
  let directory = path.dirname(process.argv[1] ?? process.cwd());
  for (let depth = 0; depth < 5; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(directory, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name) return { name: manifest.name.replace(/^@/, "").replace("/", "-"), version: manifest.version ?? "0.0.0" };
    } catch {
      // keep walking up
    }
    directory = path.dirname(directory);
  }
  return { name: "fediflow", version: "0.0.0" };
}

const identity = serviceIdentity();
process.env.OTEL_SERVICE_NAME ??= identity.name;
// Without an endpoint there is nowhere to send spans: keep propagating context, export nothing.
const configured = ["OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].some(
  (name) => process.env[name],
);
if (!configured) process.env.OTEL_TRACES_EXPORTER = "none";
// Metrics go through prom-client on /metrics, logs through pino to stdout.
process.env.OTEL_METRICS_EXPORTER ??= "none";
process.env.OTEL_LOGS_EXPORTER ??= "none";

const attributes: Record<string, string> = { "service.version": identity.version };
if (process.env.POD_NAME) attributes["k8s.pod.name"] = process.env.POD_NAME;
if (process.env.POD_NAMESPACE) attributes["k8s.namespace.name"] = process.env.POD_NAMESPACE;

const sdk = new NodeSDK({
  resource: resourceFromAttributes(attributes),
  // W3C trace context and baggage, as by default, except inside withoutTracePropagation:
  // requests to remote servers carry no internal trace ids.
  textMapPropagator: new InsideOnlyPropagator(
    new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()] }),
  ),
  instrumentations: [
    new HttpInstrumentation(),
    new ExpressInstrumentation(),
    new GrpcInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
    new UndiciInstrumentation(),
    new PinoInstrumentation({ logKeys: { traceId: "trace_id", spanId: "span_id", traceFlags: "trace_flags" } }),
  ],
});
sdk.start();

// A process that ends by running out of work flushes here. One stopped by a signal ends with
// process.exit(), where beforeExit never fires: @fediflow/runtime's onShutdown flushes those
// through flushSpans() as its last step.
process.once("beforeExit", () => {
  sdk.shutdown().catch(() => undefined);
});

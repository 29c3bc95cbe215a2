import { createServer, type Server } from "node:http";

export interface CapturedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  links: Array<{ traceId: string; spanId: string }>;
  status: number;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const valueOf = (value: AnyValue): string | number | boolean =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue ?? ""));
const attributeMap = (list: Array<{ key: string; value: AnyValue }> = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/**
 * An OTLP/HTTP receiver on loopback standing in for an OpenTelemetry Collector or Jaeger: the
 * services export to it (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and the tests read the spans.
 * Raw bodies are kept too, so a test can search everything that left a process.
 */
export class OtlpReceiver {
  readonly spans: CapturedSpan[] = [];
  readonly rawBodies: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        receiver?.rawBodies.push(body);
        if (req.url === "/v1/traces") receiver?.collect(body);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    receiver = new OtlpReceiver(server, (server.address() as { port: number }).port);
    return receiver;
  }

  /** The environment that points a process's exporter here. */
  get env(): NodeJS.ProcessEnv {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${this.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      OTEL_TRACES_SAMPLER: "parentbased_always_on",
    };
  }

  trace(traceId: string): CapturedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  private collect(body: string): void {
    const request = JSON.parse(body) as {
      resourceSpans?: Array<{
        resource?: { attributes?: Array<{ key: string; value: AnyValue }> };
        scopeSpans?: Array<{
          spans?: Array<{
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            name: string;
            kind: number;
            attributes?: Array<{ key: string; value: AnyValue }>;
            links?: Array<{ traceId: string; spanId: string }>;
            status?: { code?: number };
          }>;
        }>;
      }>;
    };
    for (const resource of request.resourceSpans ?? []) {
      const service = String(attributeMap(resource.resource?.attributes)["service.name"] ?? "");
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? "",
            name: span.name,
            kind: span.kind,
            attributes: attributeMap(span.attributes),
            links: (span.links ?? []).map((link) => ({ traceId: link.traceId, spanId: link.spanId })),
            status: span.status?.code ?? 0,
          });
        }
      }
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

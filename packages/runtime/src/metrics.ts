import { Counter, Registry, collectDefaultMetrics } from "prom-client";

/** A registry per process with Node's default metrics, labelled with the service name. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Calls a gRPC server answered, by method and status: the hook startGrpcServer's onCallEnded takes. */
export function grpcServerMetrics(registry: Registry): (method: string, code: string) => void {
  const handled = new Counter({
    name: "fediflow_grpc_server_handled_total",
    help: "gRPC calls answered by this process, by method and status code",
    labelNames: ["method", "code"],
    registers: [registry],
  });
  return (method, code) => handled.inc({ method, code });
}

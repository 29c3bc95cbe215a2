import {
  Server,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
  type ServerUnaryCall,
} from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "@fediflow/logging";
import { RpcError } from "./errors";
import { serverCredentials, type GrpcTlsFiles } from "./tls";

export interface GrpcService {
  /** Fully qualified name, as grpc.health.v1 clients ask for it (e.g. "fediflow.v1.Outbox"). */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /**
   * Each connection is closed gracefully (GOAWAY) after this long, ms (default: never). Clients
   * balancing round_robin over DNS re-resolve when a connection ends, so this bounds how long a
   * pod added by a scale-out waits for its share of the calls.
   */
  maxConnectionAgeMs?: number;
  /** Called when a call ends, with its method path and status name ("OK", "UNAVAILABLE"). */
  onCallEnded?(method: string, code: string): void;
}

export interface RunningGrpcServer {
  port: number;
  health: HealthImplementation;
  /** Marks every service NOT_SERVING, then waits for calls in progress (up to graceMs). */
  close(graceMs?: number): Promise<void>;
}

/**
 * Adapts an async handler to grpc-js's callback style. An RpcError keeps its status; anything
 * else is logged and answered INTERNAL without leaking its message.
 */
export function unary<Req, Res>(
  logger: Logger,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    handler(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => {
        if (error instanceof RpcError) {
          // A fault that passes (storage restarting) still leaves its reason where an operator looks.
          if (error.cause !== undefined) logger.warn({ err: error.cause, method: call.getPath() }, error.message);
          return callback(error.toServiceError(), null);
        }
        logger.error({ err: error, method: call.getPath() }, "rpc failed");
        callback({ code: status.INTERNAL, details: "internal error" }, null);
      },
    );
  };
}

export async function startGrpcServer(
  services: GrpcService[],
  port: number,
  logger: Logger,
  host = "0.0.0.0",
  tls: GrpcTlsFiles = {},
  options: GrpcServerOptions = {},
): Promise<RunningGrpcServer> {
  const counting: ServerInterceptor[] = [];
  const onCallEnded = options.onCallEnded;
  if (onCallEnded) {
    counting.push(
      (method, call) =>
        new ServerInterceptingCall(call, {
          sendStatus: (sent, next) => {
            onCallEnded(method.path, status[sent.code] ?? String(sent.code));
            next(sent);
          },
        }),
    );
  }
  const server = new Server({
    "grpc.max_receive_message_length": 8 * 1024 * 1024,
    ...(options.maxConnectionAgeMs
      ? { "grpc.max_connection_age_ms": options.maxConnectionAgeMs, "grpc.max_connection_age_grace_ms": 10_000 }
      : {}),
    interceptors: counting,
  });
  const statuses: Record<string, "SERVING"> = { "": "SERVING" };
  for (const service of services) {
    server.addService(service.definition, service.implementation);
    statuses[service.name] = "SERVING";
  }
  const health = new HealthImplementation(statuses);
  health.addToServer(server);
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, serverCredentials(tls), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  logger.info({ port: boundPort, services: services.map((s) => s.name), mutualTls: Boolean(tls.certFile) }, "grpc server listening");
  return {
    port: boundPort,
    health,
    async close(graceMs = 5_000) {
      for (const name of Object.keys(statuses)) health.setStatus(name, "NOT_SERVING");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

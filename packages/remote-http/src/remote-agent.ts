import { Agent, buildConnector, type Dispatcher } from "undici";
import { withoutTracePropagation } from "@fediflow/telemetry";
import { UnusableUrl, parseRemoteUrl } from "@fediflow/activitypub";
import { checkLiteralAddress, dnsServersResolve, guardedLookup } from "./address-guard";

export interface RemoteAgentOptions {
  /** FEDIFLOW_ALLOW_PRIVATE_NETWORKS: loopback/private destinations and plain http allowed. */
  allowPrivateNetworks: boolean;
  /** TCP+TLS connect timeout, ms. */
  connectTimeoutMs: number;
  /** Connections per origin (host). */
  connectionsPerOrigin: number;
  /** Requests pipelined per connection; 1 is plain keep-alive. */
  pipelining?: number;
  /** How long an idle connection stays open, ms. */
  keepAliveTimeoutMs?: number;
  /** DNS servers (host:port) to resolve with instead of the system resolver. */
  dnsServers?: string[];
}

/**
 * An undici Agent: one keep-alive pool per origin, every connection checked by the address
 * guard. Redirects are never followed (undici does not unless asked). Requests carry no
 * trace context: remote servers never see FediFlow's trace ids (the client spans are still
 * recorded).
 */
export function createRemoteAgent(options: RemoteAgentOptions): Dispatcher {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: guardedLookup(options.allowPrivateNetworks, options.dnsServers?.length ? dnsServersResolve(options.dnsServers) : undefined),
  } as buildConnector.BuildOptions);
  const agent = new Agent({
    connections: options.connectionsPerOrigin,
    pipelining: options.pipelining ?? 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    connect(opts, callback) {
      try {
        checkLiteralAddress(opts.hostname, options.allowPrivateNetworks);
      } catch (error) {
        callback(error as Error, null);
        return;
      }
      connect(opts, callback);
    },
  });
  // A request is built (and the undici instrumentation injects headers) inside dispatch, and a
  // queued one later in the callbacks of sockets opened inside it: all in the marked context.
  return agent.compose((dispatch) => (opts, handler) => withoutTracePropagation(() => dispatch(opts, handler)));
}

/** A URL FediFlow may send to: https, or http when private networks are allowed. */
export function destinationUrl(value: string, allowPlainHttp: boolean): URL {
  const url = parseRemoteUrl(value);
  if (url.protocol === "http:" && !allowPlainHttp) throw new UnusableUrl(value, "plain http is not allowed");
  return url;
}

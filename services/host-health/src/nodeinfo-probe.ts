import { discardCapped, type Dispatcher } from "@fediflow/remote-http";

export interface ProbeOptions {
  /** The SSRF-guarded agent (createRemoteAgent). */
  dispatcher: Dispatcher;
  /** Whole-request timeout, ms. */
  timeoutMs: number;
  /** FEDIFLOW_ALLOW_PRIVATE_NETWORKS: plain http is tried after https fails. */
  allowPlainHttp: boolean;
  userAgent: string;
}

/**
 * Whether a server answers: status below 500 on `GET /.well-known/nodeinfo`. The same rule as
 * for deliveries: any 4xx (429 too) proves it is up; only silence, network errors and 5xx don't.
 */
export const answers = (status: number): boolean => status < 500;

async function probeOnce(origin: string, options: ProbeOptions): Promise<boolean> {
  try {
    const response = await options.dispatcher.request({
      origin,
      path: "/.well-known/nodeinfo",
      method: "GET",
      headers: { accept: "application/json", "user-agent": options.userAgent },
      signal: AbortSignal.timeout(options.timeoutMs),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    await discardCapped(response.body, 64 * 1024).catch(() => undefined);
    return answers(response.statusCode);
  } catch {
    return false;
  }
}

/** Probes a host (`name` or `name:port`) over https, then plain http where that is allowed. */
export async function probeHost(host: string, options: ProbeOptions): Promise<boolean> {
  if (await probeOnce(`https://${host}`, options)) return true;
  return options.allowPlainHttp ? probeOnce(`http://${host}`, options) : false;
}

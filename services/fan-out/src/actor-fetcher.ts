import { cavageSignature } from "@fediflow/activitypub";
import type { SigningKey } from "@fediflow/signing-keys";
import { destinationUrl, readCapped, type Dispatcher } from "@fediflow/remote-http";
import { UnresolvableActor, inboxesOf, type ActorInboxes } from "./actor-document";

/** ActivityPub's media type, and JSON-LD with the ActivityStreams profile (ActivityPub §3.2). */
export const actorAccept = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/**
 * Signed on a GET: servers in "authorized fetch" / secure mode (Mastodon, GoToSocial) refuse
 * unsigned fetches, and these three are what their verifiers require of a request without a body.
 */
export const signedGetHeaders = ["(request-target)", "host", "date"] as const;

export interface ActorFetcherOptions {
  dispatcher: Dispatcher;
  allowPlainHttp: boolean;
  userAgent: string;
  /** Whole-request timeout, ms. */
  timeoutMs: number;
  /** Largest actor document read, bytes. */
  maxBytes?: number;
}

/** The request headers of a signed GET (draft-cavage rsa-sha256 with the actor's key). */
export function signedGet(url: URL, key: SigningKey | null, date: Date, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = { host: url.host, date: date.toUTCString(), accept: actorAccept, "user-agent": userAgent };
  // draft-cavage's rsa-sha256 has no Ed25519 form that servers accept; such actors fetch unsigned.
  if (key && key.type === "rsa") {
    headers.signature = cavageSignature(
      { method: "GET", path: `${url.pathname}${url.search}`, headerValues: headers, headers: signedGetHeaders },
      key.keyId,
      key.key,
    );
  }
  return headers;
}

/** Fetches remote actor documents with a signed GET through the SSRF-guarded agent. */
export class ActorFetcher {
  constructor(private readonly options: ActorFetcherOptions) {}

  async fetch(actorId: string, key: SigningKey | null): Promise<ActorInboxes> {
    let url: URL;
    try {
      url = destinationUrl(actorId, this.options.allowPlainHttp);
    } catch (error) {
      throw new UnresolvableActor(actorId, (error as Error).message);
    }
    let response: Dispatcher.ResponseData;
    try {
      response = await this.options.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: signedGet(url, key, new Date(), this.options.userAgent),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
    } catch (error) {
      throw new UnresolvableActor(actorId, `fetch failed: ${(error as Error).message}`, "unreachable");
    }
    const { bytes, truncated } = await readCapped(response.body, this.options.maxBytes ?? 256 * 1024).catch((error: Error) => {
      throw new UnresolvableActor(actorId, `reading the actor document failed: ${error.message}`, "unreachable");
    });
    const answer = { status: response.statusCode };
    if (response.statusCode !== 200) throw new UnresolvableActor(actorId, `HTTP ${response.statusCode}`, answer);
    if (truncated) throw new UnresolvableActor(actorId, "actor document is too large", answer);
    let document: unknown;
    try {
      document = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new UnresolvableActor(actorId, "actor document is not JSON", answer);
    }
    try {
      return inboxesOf(actorId, document);
    } catch (error) {
      if (error instanceof UnresolvableActor) throw new UnresolvableActor(actorId, error.reason, answer);
      throw error;
    }
  }
}

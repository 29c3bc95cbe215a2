import { parseRemoteUrl } from "@fediflow/activitypub";
import type { Redis } from "@fediflow/redis";
import { destinationUrl, readCapped, type Dispatcher } from "@fediflow/remote-http";

/** Where deliveries to a remote actor go. */
export interface ActorInboxes {
  inbox: string;
  sharedInbox: string | null;
}

/** A remote actor that could not be fetched or has no usable inbox. */
export class UnresolvableActor extends Error {
  constructor(
    readonly actorId: string,
    reason: string,
  ) {
    super(`${actorId}: ${reason}`);
    this.name = "UnresolvableActor";
  }
}

const accept = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const cacheKey = (actorId: string) => `actor:${actorId}`;

export interface ActorResolverOptions {
  redis: Redis;
  dispatcher: Dispatcher;
  ttlMs: number;
  allowPlainHttp: boolean;
  userAgent: string;
  timeoutMs?: number;
}

/** Reads inbox and endpoints.sharedInbox from an actor document. */
export function inboxesOf(actorId: string, document: unknown): ActorInboxes {
  if (typeof document !== "object" || document === null) throw new UnresolvableActor(actorId, "not a JSON object");
  const doc = document as { inbox?: unknown; endpoints?: { sharedInbox?: unknown } };
  if (typeof doc.inbox !== "string") throw new UnresolvableActor(actorId, "actor has no inbox");
  const inbox = parseRemoteUrl(doc.inbox).href;
  const shared = doc.endpoints && typeof doc.endpoints.sharedInbox === "string" ? parseRemoteUrl(doc.endpoints.sharedInbox).href : null;
  return { inbox, sharedInbox: shared };
}

/** Remote actors' inboxes, fetched once and cached in Redis for the TTL. */
export class ActorResolver {
  /** Fetches since start, and cache hits, for metrics. */
  fetched = 0;
  cached = 0;

  constructor(private readonly options: ActorResolverOptions) {}

  async resolve(actorId: string): Promise<ActorInboxes> {
    const hit = await this.options.redis.get(cacheKey(actorId));
    if (hit) {
      this.cached += 1;
      return JSON.parse(hit) as ActorInboxes;
    }
    const inboxes = await this.fetch(actorId);
    this.fetched += 1;
    await this.options.redis.set(cacheKey(actorId), JSON.stringify(inboxes), "PX", this.options.ttlMs);
    return inboxes;
  }

  /** Drops a cached actor: an Update or Delete of it passed through. */
  async forget(actorId: string): Promise<void> {
    await this.options.redis.del(cacheKey(actorId));
  }

  private async fetch(actorId: string): Promise<ActorInboxes> {
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
        headers: { accept, "user-agent": this.options.userAgent },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new UnresolvableActor(actorId, `fetch failed: ${(error as Error).message}`);
    }
    const { bytes, truncated } = await readCapped(response.body, 256 * 1024);
    if (response.statusCode !== 200) throw new UnresolvableActor(actorId, `HTTP ${response.statusCode}`);
    if (truncated) throw new UnresolvableActor(actorId, "actor document larger than 256 KiB");
    try {
      return inboxesOf(actorId, JSON.parse(bytes.toString("utf8")));
    } catch (error) {
      if (error instanceof UnresolvableActor) throw error;
      throw new UnresolvableActor(actorId, "actor document is not JSON");
    }
  }
}

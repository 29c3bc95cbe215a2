import type { SigningKey } from "@fediflow/signing-keys";
import type { Logger } from "@fediflow/logging";
import type { Redis } from "@fediflow/redis";
import type { ActorInboxes } from "./actor-document";

/** Fetches one actor; the key signs the GET (null: unsigned). */
export type FetchActor = (actorId: string, key: SigningKey | null) => Promise<ActorInboxes>;

const cacheKey = (actorId: string) => `actor:${actorId}`;

export interface ActorCacheOptions {
  redis: Redis;
  fetch: FetchActor;
  /** How long a fetched actor's inboxes are kept, ms. */
  ttlMs: number;
  logger: Logger;
}

/**
 * Remote actors' inboxes, fetched once and kept in Redis for the TTL, shared by every fan-out
 * process. Concurrent lookups of one actor in a process share one fetch. Redis being down is
 * a miss, never a failed fan-out: the actor is fetched and the answer simply not kept.
 */
export class ActorCache {
  /** Since start, for metrics: fetched from the actor's server, answered from Redis. */
  fetched = 0;
  hits = 0;
  private readonly inFlight = new Map<string, Promise<ActorInboxes>>();

  constructor(private readonly options: ActorCacheOptions) {}

  async resolve(actorId: string, key: () => Promise<SigningKey | null>): Promise<ActorInboxes> {
    const cached = await this.cached(actorId);
    if (cached) return cached;
    let pending = this.inFlight.get(actorId);
    if (!pending) {
      pending = this.fetchAndKeep(actorId, key).finally(() => this.inFlight.delete(actorId));
      this.inFlight.set(actorId, pending);
    }
    return pending;
  }

  private async cached(actorId: string): Promise<ActorInboxes | null> {
    let text: string | null;
    try {
      text = await this.options.redis.get(cacheKey(actorId));
    } catch (error) {
      this.options.logger.warn({ err: error, actorId }, "actor cache unavailable; treated as a miss");
      return null;
    }
    if (!text) return null;
    try {
      const inboxes = JSON.parse(text) as ActorInboxes;
      this.hits += 1;
      return inboxes;
    } catch {
      return null;
    }
  }

  /**
   * Drops an actor: an Update or Delete of it passed through, so its document may have changed.
   * With Redis down the activity still goes out; the entry then lives at most its TTL.
   */
  async forget(actorId: string): Promise<void> {
    await this.options.redis.del(cacheKey(actorId)).catch((error: unknown) => {
      this.options.logger.warn({ err: error, actorId }, "could not drop a cached actor");
    });
  }

  private async fetchAndKeep(actorId: string, key: () => Promise<SigningKey | null>): Promise<ActorInboxes> {
    const inboxes = await this.options.fetch(actorId, await key());
    this.fetched += 1;
    await this.options.redis.set(cacheKey(actorId), JSON.stringify(inboxes), "PX", this.options.ttlMs).catch((error: unknown) => {
      this.options.logger.warn({ err: error, actorId }, "could not cache a fetched actor");
    });
    return inboxes;
  }
}

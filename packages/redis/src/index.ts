import { Redis } from "ioredis";

export { Redis };

/**
 * A client that queues commands while reconnecting (Redis restarts are survivable) but fails
 * them after a few retries instead of hanging forever.
 */
export function createRedis(url: string, connectionName: string, keyPrefix = "fediflow:"): Redis {
  const redis = new Redis(url, {
    connectionName,
    keyPrefix,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Connection errors surface as failed commands where they can be acted on; the client
  // reconnects by itself, so the event only needs a listener to not crash the process.
  redis.on("error", () => undefined);
  return redis;
}

export async function redisReachable(redis: Redis): Promise<boolean> {
  return (await redis.ping()) === "PONG";
}

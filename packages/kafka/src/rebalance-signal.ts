/**
 * The protocol errors by which the group coordinator tells a member to rejoin. kafkajs's
 * isRebalancing also counts NOT_COORDINATOR_FOR_GROUP, a coordinator that moved: kafkajs finds
 * the new one itself, and it does not mean the assignment changes.
 */
const rejoinTypes = new Set(["REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION"]);

/**
 * The coordinator's "rejoin the group" error inside `error` (kafkajs wraps protocol errors in
 * retry errors with a `cause`), or undefined. Rethrown from eachBatch, it makes kafkajs rejoin.
 */
export function rejoinRequest(error: unknown): Error | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === "string" && rejoinTypes.has(type)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

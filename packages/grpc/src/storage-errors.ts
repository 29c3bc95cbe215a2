/**
 * PostgreSQL or Redis is unreachable or restarting: the handler answers UNAVAILABLE and the
 * caller a 503, instead of an internal error for a fault that passes.
 */
export function isStorageUnavailable(error: unknown): boolean {
  // ioredis gave up on a command while it reconnects (maxRetriesPerRequest).
  if (error instanceof Error && error.name === "MaxRetriesPerRequestError") return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error instanceof Error && /timeout|terminat|Connection/i.test(error.message);
  return code.startsWith("08") || code.startsWith("57P") || ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"].includes(code);
}

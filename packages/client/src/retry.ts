/** When to try a 429 or 503 again: the server's Retry-After (seconds or an HTTP date), else exponential backoff. */
export function retryDelayMs(retryAfter: string | null, attempt: number, baseMs: number, maxMs: number, now = Date.now()): number {
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (retryAfter.trim() !== "" && Number.isFinite(seconds)) return Math.min(Math.max(seconds * 1000, 0), maxMs);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(Math.max(date - now, 0), maxMs);
  }
  return Math.min(baseMs * 2 ** attempt, maxMs);
}

/** Statuses after which the API says nothing was changed and the same request may be sent again. */
export const retriable = (status: number): boolean => status === 429 || status === 503;

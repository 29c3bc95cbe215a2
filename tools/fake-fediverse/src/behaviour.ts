/** How a virtual server answers an inbox POST. */
export type Behaviour =
  /** 202 after latencyMs (a number, or [min, max] drawn uniformly). */
  | { kind: "ok"; latencyMs?: number | [number, number] }
  /** This status (500, 503, 403, 404, 410, ...): always, or for the first `times` requests, then 202. */
  | { kind: "status"; status: number; latencyMs?: number; times?: number }
  /** 429 with Retry-After (seconds) for the first `times` requests, then 202. */
  | { kind: "rateLimited"; retryAfterSeconds: number; times: number }
  /** Hostile: always `status` (default 429) with this Retry-After header, verbatim. */
  | { kind: "retryAfter"; value: string; status?: number }
  /** Fails with `status` (default 503) on a fraction of requests, else 202. */
  | { kind: "flaky"; failureRate: number; status?: number }
  /** Accepts the connection and the request, and never answers. */
  | { kind: "blackHole" }
  /** Nothing listens: connections are refused. */
  | { kind: "refuse" }
  /** A redirect that POST must not follow. */
  | { kind: "redirect"; status: number; location: string }
  /** Hostile: answers one byte a second, status line included, forever. */
  | { kind: "trickle" }
  /** Hostile: a 202 with a body of this many megabytes, as fast as it can. */
  | { kind: "huge"; megabytes: number }
  /** Hostile: drops the connection after reading the request, before any answer. */
  | { kind: "reset" };

export const ok: Behaviour = { kind: "ok" };

/** A reproducible random source (mulberry32), so a behaviour mix is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { LRUCache } from "lru-cache";
import type { HostStanding } from "@fediflow/host-view";

/** What admission needs to know of a host's health (host-view's HostStandings). */
export interface HostStandingSource {
  of(host: string): HostStanding;
}

/** How long requests wait while a breaker trial's verdict is pending, ms. */
export const trialVerdictWaitMs = 1_000;

/**
 * The one place that decides whether a request may go to a host now, from three sources:
 * - the circuit breaker's pause, from host-health's view of the host;
 * - the host's own Retry-After (429 or 503): every delivery to such a host waits until then,
 *   not only the one that was refused, because the server asked for a pause, not for one
 *   request fewer;
 * - the breaker's trial: after a pause ends, one request decides whether the host is back.
 *   Host-health answers it with a new pause or with "healthy", but only after a round trip
 *   through Kafka; until then every other request waits, or all the lanes queued behind the
 *   pause would be sent one after another and each fail.
 * Built before the limiter and the worker and handed to both.
 */
export class HostAdmission {
  private readonly retryAfter = new LRUCache<string, number>({ max: 100_000 });
  /** The pause (its end time) whose trial was already taken, per host. */
  private readonly trials = new Map<string, number>();

  constructor(private readonly hosts: HostStandingSource) {}

  /** The host asked (Retry-After) to be left alone until `until`, epoch ms. */
  honourRetryAfter(host: string, until: number): void {
    if (until > (this.retryAfter.get(host) ?? 0)) this.retryAfter.set(host, until);
  }

  /**
   * The time the host is closed until, or null when a job may go now: the breaker's pause,
   * the host's Retry-After, or a trial whose verdict is still pending.
   */
  closedUntil(host: string, now: number): number | null {
    const paused = this.hosts.of(host).pausedUntil;
    let until = Math.max(paused !== null && paused > now ? paused : 0, this.retryAfterUntil(host, now) ?? 0);
    if (paused !== null && paused <= now && this.onTrial(host) && this.trials.get(host) === paused)
      until = Math.max(until, now + trialVerdictWaitMs);
    return until > now ? until : null;
  }

  /** Like closedUntil, for one request about to be sent: on trial, the first one takes the trial. */
  admitRequest(host: string, now: number): number | null {
    const until = this.closedUntil(host, now);
    if (until !== null) return until;
    const paused = this.hosts.of(host).pausedUntil;
    if (paused !== null && this.onTrial(host) && !this.takeTrial(host, paused)) return now + trialVerdictWaitMs;
    return null;
  }

  /** True while the host's circuit breaker is on trial: it may have one request in flight. */
  onTrial(host: string): boolean {
    const standing = this.hosts.of(host);
    return standing.state === "failing" && standing.pausedUntil !== null;
  }

  private retryAfterUntil(host: string, now: number): number | null {
    const until = this.retryAfter.get(host);
    if (until === undefined) return null;
    if (until <= now) {
      this.retryAfter.delete(host);
      return null;
    }
    return until;
  }

  /** True once per pause: the caller sends the trial. */
  private takeTrial(host: string, pausedUntil: number): boolean {
    if (this.trials.get(host) === pausedUntil) return false;
    this.trials.set(host, pausedUntil);
    if (this.trials.size > 100_000) this.trials.delete(this.trials.keys().next().value!);
    return true;
  }
}

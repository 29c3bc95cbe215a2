/**
 * After a circuit breaker's pause ends, one trial request decides whether the host is back.
 * Host-health answers the trial with a new pause or with "healthy", but only after a round
 * trip through Kafka; until then every other request to the host waits here, or all the lanes
 * queued behind the pause would be sent one after another and each fail.
 */
export class TrialGate {
  /** The pause (its end time) whose trial was already taken, per host. */
  private readonly taken = new Map<string, number>();

  /** True once per pause: the caller sends the trial. */
  take(host: string, pausedUntil: number): boolean {
    if (this.taken.get(host) === pausedUntil) return false;
    this.taken.set(host, pausedUntil);
    if (this.taken.size > 100_000) this.taken.delete(this.taken.keys().next().value!);
    return true;
  }

  isTaken(host: string, pausedUntil: number): boolean {
    return this.taken.get(host) === pausedUntil;
  }
}

/** How long requests wait while a trial's verdict is pending, ms. */
export const trialVerdictWaitMs = 1_000;

import type { HostEvent, HostStateName } from "@fediflow/contracts";

/** The part of a host's state that decides what happens to a delivery. */
export interface HostStanding {
  state: HostStateName;
  /** Epoch ms until which the circuit breaker holds the host, or null. */
  pausedUntil: number | null;
}

const healthy: HostStanding = { state: "healthy", pausedUntil: null };

/** Host standings kept in memory; hosts never reported are healthy. */
export class HostStandings {
  private readonly hosts = new Map<string, HostStanding>();
  private readonly listeners: Array<(host: string, standing: HostStanding) => void> = [];

  /** Applies a host event (or a deletion); only hosts that are not plainly healthy are kept. */
  apply(host: string, event: HostEvent | null): void {
    const standing: HostStanding = event
      ? { state: event.state, pausedUntil: event.pausedUntil ? Date.parse(event.pausedUntil) : null }
      : healthy;
    if (standing.state === "healthy" && standing.pausedUntil === null) this.hosts.delete(host);
    else this.hosts.set(host, standing);
    for (const listener of this.listeners) listener(host, standing);
  }

  of(host: string): HostStanding {
    return this.hosts.get(host) ?? healthy;
  }

  /** Hosts in a state other than healthy, for metrics. */
  count(state: HostStateName): number {
    let n = 0;
    for (const standing of this.hosts.values()) if (standing.state === state) n += 1;
    return n;
  }

  onChange(listener: (host: string, standing: HostStanding) => void): void {
    this.listeners.push(listener);
  }
}

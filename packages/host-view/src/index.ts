import { topics, type HostEvent, type HostStateName } from "@fediflow/contracts";
import { TopicView, type Kafka } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";

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

/** HostStandings kept current from the compacted host-events topic. */
export class HostView extends HostStandings {
  private readonly view: TopicView<HostEvent>;

  constructor(kafka: Kafka, logger: Logger, groupPrefix: string) {
    super();
    this.view = new TopicView({ kafka, topic: topics.hostEvents, groupPrefix, logger, apply: (host, event) => this.apply(host, event) });
  }

  /** Resolves once every host event published before the call is applied. */
  start(): Promise<void> {
    return this.view.start();
  }

  stop(): Promise<void> {
    return this.view.stop();
  }
}

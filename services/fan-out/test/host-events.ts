import type { HostEvent, HostStateName } from "@fediflow/contracts";

/** A host-events message as host-health publishes it, for feeding a HostStandings. */
export const hostEvent = (host: string, state: HostStateName): HostEvent => ({
  host,
  state,
  failures: 0,
  firstFailureAt: null,
  lastSuccessAt: null,
  nextProbeAt: null,
  pausedUntil: null,
  changedAt: new Date().toISOString(),
});

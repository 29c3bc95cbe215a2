import type { HostStateName, OutcomeClass } from "@fediflow/contracts";

/** Everything FediFlow remembers about one remote server. Times are epoch milliseconds. */
export interface HostRecord {
  host: string;
  state: HostStateName;
  /** Consecutive unreachable attempts. */
  failures: number;
  firstFailureAt: number | null;
  lastFailureAt: number | null;
  lastSuccessAt: number | null;
  /** Dead hosts: when the next nodeinfo probe is due. */
  nextProbeAt: number | null;
  /** Dead hosts: the interval that led to nextProbeAt; doubles up to the cap. */
  probeIntervalMs: number | null;
  /** The circuit breaker holds deliveries until then. */
  pausedUntil: number | null;
  /** Breaker trips in a row, for the doubling cooldown. */
  trips: number;
}

export interface HealthPolicy {
  breakerThreshold: number;
  breakerCooldownMs: number;
  breakerCooldownMaxMs: number;
  deadAfterMs: number;
  probeInitialMs: number;
  probeMaxMs: number;
}

/** How an attempt bears on a host's health. */
export type Contact = "reachable" | "answered" | "unreachable";

/**
 * Only unreachability counts against a host: network errors, timeouts, TLS/DNS failures
 * and 5xx. Any 4xx, 429 included, proves the server is up and answering.
 */
export function contactOf(outcome: OutcomeClass, status: number | null): Contact | null {
  switch (outcome) {
    case "delivered":
      return "reachable";
    case "gone":
    case "rejected":
      return "answered";
    case "retrying":
    case "expired":
      return status !== null && status < 500 ? "answered" : "unreachable";
    default:
      return null;
  }
}

export interface Transition {
  from: HostStateName | null;
  to: HostStateName;
  reason: string;
}

export const newHost = (host: string): HostRecord => ({
  host,
  state: "healthy",
  failures: 0,
  firstFailureAt: null,
  lastFailureAt: null,
  lastSuccessAt: null,
  nextProbeAt: null,
  probeIntervalMs: null,
  pausedUntil: null,
  trips: 0,
});

function healthy(record: HostRecord, now: number, success: boolean): HostRecord {
  return {
    ...record,
    state: "healthy",
    failures: 0,
    firstFailureAt: null,
    nextProbeAt: null,
    probeIntervalMs: null,
    pausedUntil: null,
    trips: 0,
    lastSuccessAt: success ? now : record.lastSuccessAt,
  };
}

/** Applies one attempt's contact to a host. A blocked host stays blocked whatever happens. */
export function recordContact(
  record: HostRecord,
  contact: Contact,
  now: number,
  policy: HealthPolicy,
): { record: HostRecord; transition: Transition | null } {
  if (record.state === "blocked") return { record, transition: null };
  if (contact !== "unreachable") {
    const next = healthy(record, now, contact === "reachable");
    const transition =
      record.state === "healthy"
        ? null
        : { from: record.state, to: "healthy" as const, reason: record.state === "dead" ? "revived by a delivery" : "answered again" };
    return { record: next, transition };
  }
  if (record.state === "dead") return { record: { ...record, lastFailureAt: now }, transition: null };
  const failures = record.failures + 1;
  const firstFailureAt = record.firstFailureAt ?? now;
  let next: HostRecord = { ...record, state: "failing", failures, firstFailureAt, lastFailureAt: now };
  if (now - firstFailureAt >= policy.deadAfterMs) {
    next = {
      ...next,
      state: "dead",
      pausedUntil: null,
      trips: 0,
      probeIntervalMs: policy.probeInitialMs,
      nextProbeAt: now + policy.probeInitialMs,
    };
    return {
      record: next,
      transition: { from: record.state, to: "dead", reason: `unreachable for ${Math.round((now - firstFailureAt) / 1000)} s` },
    };
  }
  // A trial request after a pause that fails trips the breaker again, with a longer pause.
  const pauseOver = record.pausedUntil !== null && now >= record.pausedUntil;
  if (failures >= policy.breakerThreshold && (record.pausedUntil === null || pauseOver)) {
    const trips = record.trips + 1;
    const cooldown = Math.min(policy.breakerCooldownMs * 2 ** (trips - 1), policy.breakerCooldownMaxMs);
    next = { ...next, trips, pausedUntil: now + cooldown };
  }
  const transition = record.state === "failing" ? null : { from: record.state, to: "failing" as const, reason: "unreachable" };
  return { record: next, transition };
}

/** A dead host answered its probe well: healthy again. A bad answer doubles the interval. */
export function recordProbe(
  record: HostRecord,
  good: boolean,
  now: number,
  policy: HealthPolicy,
): { record: HostRecord; transition: Transition | null } {
  if (record.state !== "dead") return { record, transition: null };
  if (good) return { record: healthy(record, now, true), transition: { from: "dead", to: "healthy", reason: "revived by a probe" } };
  const interval = Math.min((record.probeIntervalMs ?? policy.probeInitialMs) * 2, policy.probeMaxMs);
  return { record: { ...record, lastFailureAt: now, probeIntervalMs: interval, nextProbeAt: now + interval }, transition: null };
}

/** The application heard from the host: it is alive, whatever it was (but blocked). */
export function recordInbound(record: HostRecord, now: number): { record: HostRecord; transition: Transition | null } {
  if (record.state === "blocked" || record.state === "healthy") return { record, transition: null };
  return {
    record: healthy(record, now, false),
    transition: { from: record.state, to: "healthy", reason: record.state === "dead" ? "revived by inbound contact" : "inbound contact" },
  };
}

export function block(record: HostRecord): { record: HostRecord; transition: Transition | null } {
  if (record.state === "blocked") return { record, transition: null };
  return {
    record: { ...record, state: "blocked", pausedUntil: null, nextProbeAt: null, probeIntervalMs: null },
    transition: { from: record.state, to: "blocked", reason: "blocked by an operator" },
  };
}

export function unblock(record: HostRecord, now: number): { record: HostRecord; transition: Transition | null } {
  if (record.state !== "blocked") return { record, transition: null };
  return { record: healthy(record, now, false), transition: { from: "blocked", to: "healthy", reason: "unblocked by an operator" } };
}

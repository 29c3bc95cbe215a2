import type { DeliveryGauges } from "./delivery-gauges";
import type { Floor } from "./floor";
import type { LeverResult } from "./lever";
import type { StreamStep } from "./steady-stream";

/** One system delivering one activity in one scenario, as the fake fediverse saw it. */
export interface SystemRun {
  system: string;
  scenario: string;
  /** Healthy inboxes that must receive the activity. */
  expected: number;
  /** Of those, how many got it before the budget ran out. */
  delivered: number;
  complete: boolean;
  /** Every request carrying the activity, to any host, retries included. */
  requests: number;
  badSignatures: number;
  /** Requests by the status the fake fediverse answered. */
  statuses: Record<string, number>;
  /** Hand-over (FediFlow: the 202) to the last healthy inbox's receipt, or to the budget's end. */
  makespanSeconds: number;
  deliveriesPerSecond: number;
  /** Summed over every process of the system (FediFlow: all five services), during the run. */
  cpuSeconds: number;
  cpuByProcess: Record<string, number>;
  cpuSecondsPer1000: number;
  /** What else the system needs, during the run, by kind: postgres (its database's backends), kafka, redis. */
  supportCpuByProcess: Record<string, number>;
  /** Own processes and everything they need, per 1,000 deliveries. */
  cpuSecondsPer1000All: number;
  firstMs: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  peakRssMb: Record<string, number>;
  /** The harness process (the fake fediverse) during the run: was it the bottleneck? */
  fakeFediverse?: { cpuSeconds: number; eventLoopDelayP99Ms: number };
  /** FediFlow only: the delivery process's own gauges during the run. */
  deliveryGauges?: DeliveryGauges;
}

export interface BenchResults {
  at: string;
  sizes: { hosts: number; followers: number; sharedInboxShare: number; latencyMs: [number, number]; scale: number };
  loadAverage: number[];
  floor: Floor;
  runs: SystemRun[];
  stream: StreamStep[];
  /** CPU-s per wall second FediFlow's five processes use with nothing to do. */
  fediflowIdleCpuPerSecond: number;
  /** The same, per process. */
  fediflowIdleByProcess: Record<string, number>;
  /** CPU-s per wall second of what FediFlow needs besides itself while idle (postgres, kafka, redis). */
  fediflowIdleSupportByProcess: Record<string, number>;
  /** S1's makespan over only the inboxes healthy in S3: what S3's healthy makespan is held to. */
  s1MakespanForS3Healthy: number | null;
  fanOut: unknown;
  /** Settings measured against the defaults in this run (--lever). */
  levers?: LeverResult[];
  notes: string[];
}

import type { ScalingSample } from "@fediflow/local-stack";

/** One point of a run, seconds after the post was accepted. */
export interface TimelinePoint {
  t: number;
  replicas: number;
  lagMessages: number;
  deliveriesPerSecond: number;
}

/** Accepted POSTs per second, over whole seconds from `start`. */
export function perSecond(receipts: number[], start: number, end: number): number[] {
  const seconds = Math.max(1, Math.ceil((end - start) / 1000));
  const counts = new Array<number>(seconds).fill(0);
  for (const at of receipts) {
    const i = Math.floor((at - start) / 1000);
    if (i >= 0 && i < seconds) counts[i]! += 1;
  }
  return counts;
}

/**
 * One point per second of the run: the deliveries in that second, and the processes and lag as
 * the autoscaler last saw them (its samples come one sync apart, or further while it starts
 * processes, so a per-sample line would hide what happens in between, such as a rebalance).
 */
export function timeline(samples: ScalingSample[], rate: number[], start: number, fixedReplicas: number | null): TimelinePoint[] {
  return rate.map((deliveriesPerSecond, t) => {
    const end = start + (t + 1) * 1000;
    const last = samples.filter((sample) => sample.at <= end).at(-1);
    return {
      t,
      replicas: fixedReplicas ?? last?.replicas ?? 1,
      lagMessages: fixedReplicas === null ? (last?.lagMessages ?? Number.NaN) : Number.NaN,
      deliveriesPerSecond,
    };
  });
}

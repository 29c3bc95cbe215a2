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

/** The autoscaler's samples joined with the delivery rate in the second each was taken. */
export function timeline(samples: ScalingSample[], rate: number[], start: number, fixedReplicas: number | null): TimelinePoint[] {
  if (fixedReplicas !== null) {
    return rate.map((deliveriesPerSecond, i) => ({ t: i, replicas: fixedReplicas, lagMessages: Number.NaN, deliveriesPerSecond }));
  }
  return samples
    .filter((sample) => sample.at >= start)
    .map((sample) => {
      const t = (sample.at - start) / 1000;
      return { t, replicas: sample.replicas, lagMessages: sample.lagMessages, deliveriesPerSecond: rate[Math.floor(t)] ?? 0 };
    });
}

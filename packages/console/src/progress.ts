import type { InboxCounts } from "@fediflow/client";

/** The parts of an activity's progress bar, in the order they are drawn. */
export const progressParts = ["delivered", "failed", "parked", "pending", "blocked", "superseded"] as const;
export type ProgressPart = (typeof progressParts)[number];

export interface Progress {
  total: number;
  /** Inboxes with a final outcome: everything but pending. */
  settled: number;
  parts: Array<{ part: ProgressPart; count: number; percent: number }>;
}

export function progressOf(counts: InboxCounts): Progress {
  const total = counts.total;
  return {
    total,
    settled: total - counts.pending,
    parts: progressParts.map((part) => ({ part, count: counts[part], percent: total === 0 ? 0 : (counts[part] * 100) / total })),
  };
}

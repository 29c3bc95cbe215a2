import type { ActivityStatus } from "@fediflow/client";

const outcomes = ["delivered", "failed", "parked", "blocked", "superseded"] as const;
// One character per outcome, so the bar reads without colour: settled kinds, then what is pending.
const marks: Record<(typeof outcomes)[number], string> = { delivered: "#", failed: "x", parked: "p", blocked: "b", superseded: "s" };

/**
 * One line for an activity's progress: a bar of `width` characters split by outcome (pending as
 * "."), then the counts. Each outcome's share is rounded down, so a bar is full only when done.
 */
export function progressLine(status: ActivityStatus, width = 30): string {
  const { inboxes } = status;
  let bar = "";
  if (inboxes.total > 0) {
    for (const outcome of outcomes) bar += marks[outcome].repeat(Math.floor((inboxes[outcome] / inboxes.total) * width));
  } else if (status.state === "done") {
    bar = "#".repeat(width);
  }
  bar = bar.slice(0, width).padEnd(width, ".");
  const settled = inboxes.total - inboxes.pending;
  const counts = [...outcomes.map((outcome) => `${outcome} ${inboxes[outcome]}`), `pending ${inboxes.pending}`].join(", ");
  return `[${bar}] ${settled}/${inboxes.total} ${status.state}: ${counts}`;
}

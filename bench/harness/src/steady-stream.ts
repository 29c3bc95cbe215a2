import type { FakeFediverse } from "@fediflow/fake-fediverse";
import { seededRandom } from "@fediflow/fake-fediverse";
import type { FediflowStack } from "./fediflow-stack";
import { percentile } from "./receipts";

/** One rate step of S2: activities offered at a steady rate, each to its own few inboxes. */
export interface StreamStep {
  activitiesPerSecond: number;
  inboxesPerActivity: number;
  seconds: number;
  submitted: number;
  /** Deliveries that had arrived when the step's submissions ended, and within the drain window. */
  deliveredInStep: number;
  deliveredAfterDrain: number;
  expected: number;
  offeredDeliveriesPerSecond: number;
  achievedDeliveriesPerSecond: number;
  /** Per activity: 202 → its first delivery, and 202 → its last (the consumer lag it saw). */
  firstP50Ms: number | null;
  firstP99Ms: number | null;
  completeP50Ms: number | null;
  completeP99Ms: number | null;
  /** Every delivery of the step arrived within the drain window after the last submission. */
  sustained: boolean;
}

export interface SteadyStreamOptions {
  rates: number[];
  inboxesPerActivity: number;
  stepSeconds: number;
  /** Bound on the lag: the step's last delivery must arrive within this long after its last 202, ms. */
  drainMs: number;
  /** After the first step not sustained, how long to wait for its backlog before returning, ms. */
  backlogMs: number;
  inboxes: string[];
  actor: string;
  say(line: string): void;
}

/** First and last receipt time of each activity, in one pass over what the fediverse received. */
function receiptSpans(fediverse: FakeFediverse, ids: ReadonlySet<string>): Map<string, { first: number; last: number; count: number }> {
  const spans = new Map<string, { first: number; last: number; count: number }>();
  for (const host of fediverse.hosts) {
    for (const post of host.received) {
      if (post.status !== 202 || post.activityId === null || !ids.has(post.activityId)) continue;
      const span = spans.get(post.activityId);
      if (span) {
        span.first = Math.min(span.first, post.receivedAt);
        span.last = Math.max(span.last, post.receivedAt);
        span.count += 1;
      } else spans.set(post.activityId, { first: post.receivedAt, last: post.receivedAt, count: 1 });
    }
  }
  return spans;
}

/**
 * S2: steps of increasing rate; each submits activities open-loop (on a timer, not waiting for
 * the previous one) to `inboxesPerActivity` inboxes given directly, then allows a drain window.
 * The highest step whose deliveries all arrived within that window is the sustained rate.
 */
export async function runSteadyStream(stack: FediflowStack, fediverse: FakeFediverse, options: SteadyStreamOptions): Promise<StreamStep[]> {
  const random = seededRandom(2);
  const steps: StreamStep[] = [];
  let sequence = 0;
  for (const rate of options.rates) {
    const accepted = new Map<string, number>();
    const expectedOf = new Map<string, number>();
    const submissions: Array<Promise<void>> = [];
    const count = Math.round(rate * options.stepSeconds);
    const started = Date.now();
    for (let i = 0; i < count; i += 1) {
      const due = started + (i * 1000) / rate;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const id = `${options.actor}/activities/stream-${rate}-${(sequence += 1)}`;
      const inboxes = [
        ...new Set(
          Array.from({ length: options.inboxesPerActivity }, () => options.inboxes[Math.floor(random() * options.inboxes.length)]!),
        ),
      ];
      expectedOf.set(id, inboxes.length);
      const activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        id,
        type: "Create",
        actor: options.actor,
        object: { id: `${id}/note`, type: "Note", content: "x".repeat(600) },
      };
      submissions.push(
        stack
          .client.submitActivity({ actor: options.actor, activity, audience: { followers: false, inboxes } })
          .then(() => void accepted.set(id, Date.now())),
      );
    }
    await Promise.all(submissions);
    const endedAt = Date.now();
    const ids = new Set(accepted.keys());
    const expected = [...ids].reduce((total, id) => total + expectedOf.get(id)!, 0);
    const deliveredBy = () => [...receiptSpans(fediverse, ids).values()].reduce((total, span) => total + span.count, 0);
    const deliveredInStep = deliveredBy();
    while (deliveredBy() < expected && Date.now() - endedAt < options.drainMs) await new Promise((resolve) => setTimeout(resolve, 200));
    const spans = receiptSpans(fediverse, ids);
    const deliveredAfterDrain = [...spans.values()].reduce((total, span) => total + span.count, 0);
    const firsts = [...spans].map(([id, span]) => span.first - accepted.get(id)!).sort((a, b) => a - b);
    const completes = [...spans].map(([id, span]) => span.last - accepted.get(id)!).sort((a, b) => a - b);
    const lastReceipt = Math.max(...[...spans.values()].map((span) => span.last), endedAt);
    const step: StreamStep = {
      activitiesPerSecond: rate,
      inboxesPerActivity: options.inboxesPerActivity,
      seconds: (endedAt - started) / 1000,
      submitted: ids.size,
      deliveredInStep,
      deliveredAfterDrain,
      expected,
      offeredDeliveriesPerSecond: rate * options.inboxesPerActivity,
      achievedDeliveriesPerSecond: deliveredAfterDrain / ((lastReceipt - started) / 1000),
      firstP50Ms: percentile(firsts, 50),
      firstP99Ms: percentile(firsts, 99),
      completeP50Ms: percentile(completes, 50),
      completeP99Ms: percentile(completes, 99),
      sustained: deliveredAfterDrain >= expected,
    };
    steps.push(step);
    options.say(
      `  FediFlow S2 ${rate} activities/s × ${options.inboxesPerActivity}: ${deliveredAfterDrain}/${expected} delivered, ${Math.round(step.achievedDeliveriesPerSecond)} deliveries/s, 202→first p50 ${step.firstP50Ms} ms p99 ${step.firstP99Ms} ms, 202→last p50 ${step.completeP50Ms} ms p99 ${step.completeP99Ms} ms${step.sustained ? "" : " — NOT sustained"}`,
    );
    if (!step.sustained) {
      // Let the backlog go out before whatever runs next, so it starts on an empty pipeline.
      const backlogDeadline = Date.now() + options.backlogMs;
      while (deliveredBy() < expected && Date.now() < backlogDeadline) await new Promise((resolve) => setTimeout(resolve, 500));
      break;
    }
  }
  return steps;
}

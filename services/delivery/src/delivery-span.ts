import type { DeliveryJob, InboxOutcome } from "@fediflow/contracts";
import {
  SpanKind,
  attributes,
  context,
  contextFromHeaders,
  failSpan,
  sampled,
  spanContextOf,
  trace,
  traceHeaders,
  traceparentOf,
  tracer,
  type Context,
  type Span,
} from "@fediflow/telemetry";

/** The worst of a job's outcomes names the attempt: one low-cardinality value per span. */
const severity = ["delivered", "superseded", "blocked", "parked", "retrying", "gone", "rejected", "expired", "discarded"] as const;

export function attemptOutcome(outcomes: InboxOutcome[]): string {
  let worst = 0;
  for (const outcome of outcomes) worst = Math.max(worst, severity.indexOf(outcome.outcome as (typeof severity)[number]));
  return severity[worst] ?? "delivered";
}

/**
 * The `deliver` span of one attempt of a job. From Kafka it is a child of the message's process
 * span; from the schedule (a retry) it runs in the activity's trace, recorded whatever the
 * sampling said before, and links to the first attempt. An attempt whose span was not recorded
 * (a host past fan-out's traced share) is written afterwards when it failed: failed and retried
 * deliveries are always kept.
 */
export class DeliverySpan {
  private readonly parent: Context;
  private readonly span: Span;
  private readonly startedAt = Date.now();
  private readonly links;

  constructor(
    private readonly job: DeliveryJob,
    fromSchedule: boolean,
  ) {
    this.parent = fromSchedule && job.trace?.parent ? sampled(contextFromHeaders({ traceparent: job.trace.parent })) : context.active();
    const first = spanContextOf(job.trace?.firstAttempt);
    this.links = first ? [{ context: first, attributes: { "fediflow.link": "first attempt" } }] : [];
    this.span = tracer.startSpan("deliver", { kind: SpanKind.INTERNAL, attributes: this.attributes(), links: this.links }, this.parent);
  }

  /** Runs fn with this span active (the HTTP client spans become its children). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(trace.setSpan(this.parent, this.span), fn);
  }

  /** Ends the span with the attempt's outcome; returns the span context a retry should link to. */
  finish(outcomes: InboxOutcome[], firstReason: string | null): string {
    const outcome = attemptOutcome(outcomes);
    const failed = outcome !== "delivered" && outcome !== "superseded";
    let span = this.span;
    if (failed && !span.isRecording()) {
      span = tracer.startSpan(
        "deliver",
        { kind: SpanKind.INTERNAL, attributes: this.attributes(), links: this.links, startTime: this.startedAt },
        sampled(this.parent),
      );
    }
    span.setAttribute(attributes.outcome, outcome);
    if (failed) failSpan(span, firstReason ?? outcome, outcome);
    span.end();
    if (span !== this.span) this.span.end();
    return traceparentOf(span.spanContext());
  }

  /** What a retry of this job carries: the trace to run in and the first attempt to link to. */
  retryTrace(attemptSpan: string): DeliveryJob["trace"] {
    return {
      parent: traceHeaders(this.parent).traceparent ?? this.job.trace?.parent,
      firstAttempt: this.job.trace?.firstAttempt ?? attemptSpan,
    };
  }

  private attributes() {
    return {
      [attributes.activityId]: this.job.activityId,
      [attributes.activityType]: this.job.activityType,
      [attributes.serverAddress]: this.job.host,
      [attributes.inboxCount]: this.job.inboxes.length,
      [attributes.attempt]: this.job.attempt,
    };
  }
}

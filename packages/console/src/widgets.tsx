import { FediFlowProblem, type InboxCounts } from "@fediflow/client";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { progressOf } from "./progress";

/** An activity's inboxes by outcome: a bar for the eye, and the same counts as text for everyone. */
export function ProgressBar({ counts, label }: { counts: InboxCounts; label: string }) {
  const progress = progressOf(counts);
  return (
    <div class="progress">
      <div
        class="progress-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.settled}
        aria-valuetext={`${progress.settled} of ${progress.total} inboxes settled`}
      >
        {progress.parts.map(({ part, percent }) =>
          percent > 0 ? <span key={part} class={`part ${part}`} style={{ width: `${percent}%` }} /> : null,
        )}
      </div>
      <ul class="legend">
        {progress.parts.map(({ part, count }) => (
          <li key={part} class={count === 0 ? "zero" : undefined}>
            <span class={`swatch ${part}`} aria-hidden="true" />
            {part} <strong data-count={part}>{count}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What went wrong, in the API's own words (problem+json), announced to screen readers. */
export function ProblemNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof FediFlowProblem
      ? `${error.status} ${error.title}: ${error.detail}`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p class="problem" role="alert">
      {text}
    </p>
  );
}

export function Time({ at }: { at: string | undefined }) {
  if (!at) return <span class="none">—</span>;
  return <time dateTime={at}>{new Date(at).toLocaleString()}</time>;
}

/**
 * A table that scrolls sideways on a phone instead of widening the page; `columns` are its
 * headings (an empty one is read out as "Actions"), `children` its rows.
 */
export function Table({ caption, columns, children }: { caption: string; columns: string[]; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column || <span class="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A button for an action that changes what FediFlow does (redrive, block): the first press asks,
 * the second acts. The outcome (or the problem) is announced.
 */
export function ConfirmButton({ label, question, act }: { label: string; question: string; act: () => Promise<string> }) {
  const [phase, setPhase] = useState<"idle" | "asking" | "working">("idle");
  const [result, setResult] = useState<{ text?: string; error?: unknown }>({});
  const run = async () => {
    setPhase("working");
    try {
      setResult({ text: await act() });
    } catch (error) {
      setResult({ error });
    }
    setPhase("idle");
  };
  return (
    <div class="action">
      {phase === "asking" ? (
        <span class="confirm" role="group" aria-label={question}>
          <span>{question}</span>
          <button type="button" class="danger" onClick={() => void run()} autoFocus>
            Yes, {label.toLowerCase()}
          </button>
          <button type="button" onClick={() => setPhase("idle")}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setPhase("asking")} disabled={phase === "working"}>
          {label}
        </button>
      )}
      <span role="status" class="result">
        {result.text}
      </span>
      <ProblemNotice error={result.error} />
    </div>
  );
}

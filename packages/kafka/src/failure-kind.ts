/**
 * Why a handler's failure on one message will repeat however often it is retried. A message
 * that fails for one of these reasons is quarantined (docs/operations.md, Quarantine) instead
 * of pinning its partition; every other failure is transient and retried with backoff.
 */
export type PermanentReason =
  /** PostgreSQL SQLSTATE class 22: a value the column cannot hold (too long, out of range, bad encoding). */
  | "data-exception"
  /** SQLSTATE class 23: a foreign key, unique or check constraint (e.g. an outcome of an activity retention removed). */
  | "integrity-constraint"
  /** A URL FediFlow cannot deliver to (`UnusableUrl` of @fediflow/activitypub). */
  | "unusable-url"
  /** The broker refused to store a produced message: larger than its `message.max.bytes`. */
  | "message-too-large"
  /** The handler threw a PermanentFailure. */
  | "marked-permanent";

export const permanentReasons: readonly PermanentReason[] = [
  "data-exception",
  "integrity-constraint",
  "unusable-url",
  "message-too-large",
  "marked-permanent",
];

export type FailureKind = { kind: "transient" } | { kind: "permanent"; reason: PermanentReason };

/** Thrown by a handler that knows retrying cannot help: the message is quarantined at once. */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentFailure";
  }
}

const transient: FailureKind = { kind: "transient" };

/** pg's DatabaseError carries the five-character SQLSTATE in `code` and a `severity`. */
function sqlStateOf(error: object): string | undefined {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && typeof severity === "string" ? code : undefined;
}

/** kafkajs' KafkaJSProtocolError names the broker's error code in `type`. */
function isMessageTooLarge(error: object): boolean {
  const { type } = error as { type?: unknown };
  return type === "MESSAGE_TOO_LARGE" || type === "RECORD_LIST_TOO_LARGE";
}

function classifyOne(error: object): FailureKind | undefined {
  if (error instanceof PermanentFailure) return { kind: "permanent", reason: "marked-permanent" };
  // By name: packages that throw UnusableUrl need not be dependencies of the consumers.
  if (error instanceof Error && error.name === "UnusableUrl") return { kind: "permanent", reason: "unusable-url" };
  if (isMessageTooLarge(error)) return { kind: "permanent", reason: "message-too-large" };
  const state = sqlStateOf(error);
  if (state?.startsWith("22")) return { kind: "permanent", reason: "data-exception" };
  if (state?.startsWith("23")) return { kind: "permanent", reason: "integrity-constraint" };
  return undefined;
}

/**
 * Transient unless the error, or one it wraps (`cause`, kafkajs' `originalError`, an
 * AggregateError's `errors`), is one of the permanent kinds. Unknown errors are transient: a
 * wrong "transient" costs retries, a wrong "permanent" sets aside a message that would have worked.
 */
export function classifyFailure(error: unknown): FailureKind {
  const seen = new Set<object>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    const found = classifyOne(next);
    if (found) return found;
    const { cause, originalError, errors } = next as { cause?: unknown; originalError?: unknown; errors?: unknown };
    pending.push(cause, originalError);
    if (Array.isArray(errors)) pending.push(...(errors as unknown[]));
  }
  return transient;
}

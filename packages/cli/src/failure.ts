import { FediFlowProblem } from "@fediflow/client";

/** A failure the command explains itself (bad usage, missing settings). */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}

/** The one line printed for a failed command: what the API said, or why it could not be asked. */
export function oneLine(error: unknown): string {
  let line: string;
  if (error instanceof FediFlowProblem) {
    line = `${error.status} ${error.slug}: ${error.detail || error.title}`;
    const first = error.errors[0];
    if (first) line += ` (${first.pointer}: ${first.detail})`;
  } else if (error instanceof TypeError && error.cause instanceof Error) {
    // fetch's own failure: the cause says why (ECONNREFUSED, ENOTFOUND, a TLS error).
    const code = (error.cause as NodeJS.ErrnoException).code;
    line = `cannot reach FediFlow: ${code ?? error.cause.message}`;
  } else {
    line = error instanceof Error ? error.message : String(error);
  }
  return line.replace(/\s+/g, " ").trim();
}

import type { Logger } from "@fediflow/logging";
import { flushSpans } from "@fediflow/telemetry";

export type Closer = () => Promise<unknown>;

/**
 * Runs the closers in order on SIGTERM or SIGINT, then exports the spans still buffered (the
 * closers' own included), then exits 0; exits 1 when all that overruns the grace period
 * (Kubernetes sends SIGKILL after terminationGracePeriodSeconds anyway).
 */
export function onShutdown(logger: Logger, closers: Closer[], graceMs = 25_000): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      logger.error({ graceMs }, "shutdown overran the grace period");
      process.exit(1);
    }, graceMs);
    deadline.unref();
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, "error while shutting down");
      }
    }
    // Last, so the spans of the drain itself leave too; process.exit() skips beforeExit.
    try {
      await flushSpans();
    } catch (error) {
      logger.warn({ err: error }, "could not export the last spans");
    }
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", (signal) => void stop(signal));
  process.once("SIGINT", (signal) => void stop(signal));
}

/** The last line of every main.ts: log the failure and exit non-zero. */
export function exitOnFailure(logger: Logger): (error: unknown) => never {
  return (error) => {
    logger.fatal({ err: error }, "failed to start");
    process.exit(1);
  };
}

import type { Logger } from "@fediflow/logging";

export type Closer = () => Promise<unknown>;

/**
 * Runs the closers in order on SIGTERM or SIGINT, then exits 0; exits 1 when they overrun
 * the grace period (Kubernetes sends SIGKILL after terminationGracePeriodSeconds anyway).
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

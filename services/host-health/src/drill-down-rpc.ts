import type { DeliveryReport, hostHealthRpc } from "@fediflow/contracts";
import { invalidArgument, notFound, unary } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import type { AttemptLog } from "./attempt-log";
import type { HostBook } from "./host-book";
import { discardedReports } from "./parked";
import type { ParkedStore } from "./parked-store";

type DrillDownHandlers = Pick<hostHealthRpc.HostHealthServer, "recentAttempts" | "listParked" | "discardParked">;

export interface DrillDownDependencies {
  book: HostBook;
  attempts: AttemptLog;
  park: ParkedStore;
  /** Publishes settled outcomes on the outcomes topic. */
  settle(reports: DeliveryReport[]): Promise<void>;
  logger: Logger;
  clock: () => number;
}

/** Parked rows settled per transaction while discarding a host's park. */
const discardBatch = 1000;

/** What operators see of one host beyond its state: recent attempts and its park (issue 21). */
export function drillDownHandlers({ book, attempts, park, settle, logger, clock }: DrillDownDependencies): DrillDownHandlers {
  const knownHost = async (host: string) => {
    if (!host || host.length > 255) throw invalidArgument("host is empty or too long");
    if (!(await book.get(host))) throw notFound(`FediFlow has never seen ${host}`, "unknown-host");
    return host;
  };
  return {
    recentAttempts: unary(logger, async (request: hostHealthRpc.RecentAttemptsRequest) => {
      const host = await knownHost(request.host);
      const recent = await attempts.recent(host, Math.min(Math.max(request.limit, 1), 1000));
      return {
        attempts: recent.map((attempt) => ({ ...attempt, status: attempt.status ?? undefined, reason: attempt.reason ?? undefined })),
      };
    }),

    listParked: unary(logger, async (request: hostHealthRpc.ListParkedRequest) => {
      const host = await knownHost(request.host);
      if (!/^[0-9]{1,19}$/.test(request.after)) throw invalidArgument("after must be a park position", "invalid-request");
      const limit = Math.min(Math.max(request.limit, 1), 1000);
      const rows = await park.page(host, request.after, limit + 1);
      return {
        parked: rows
          .slice(0, limit)
          .map((row) => ({ activityId: row.activityId, inbox: row.inbox, parkedAt: row.parkedAt.toISOString(), position: row.seq })),
        more: rows.length > limit,
      };
    }),

    discardParked: unary(logger, async (request: hostHealthRpc.DiscardParkedRequest) => {
      const host = await knownHost(request.host);
      let discarded = 0;
      let taken: number;
      do {
        taken = await park.discard(host, discardBatch, (deliveries) => settle(discardedReports(deliveries, clock())));
        discarded += taken;
      } while (taken === discardBatch);
      if (discarded > 0) logger.info({ host, discarded }, "parked deliveries discarded by an operator");
      return { discarded };
    }),
  };
}

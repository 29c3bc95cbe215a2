import { hostHealthRpc, hostStates, type HostStateName } from "@fediflow/contracts";
import { invalidArgument, isStorageUnavailable, unary, unavailable, type GrpcService } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import { drillDownHandlers, type DrillDownDependencies } from "./drill-down-rpc";
import type { HostBook } from "./host-book";
import { block, recordInbound, unblock, type HostRecord } from "./host-state";

const iso = (time: number | null): string | undefined => (time === null ? undefined : new Date(time).toISOString());

function toHost(record: HostRecord): hostHealthRpc.Host {
  return {
    host: record.host,
    state: record.state,
    failures: record.failures,
    firstFailureAt: iso(record.firstFailureAt),
    lastSuccessAt: iso(record.lastSuccessAt),
    nextProbeAt: iso(record.nextProbeAt),
  };
}

/**
 * A lookup needs Redis (the hot copy), a change PostgreSQL and then Redis, a listing PostgreSQL
 * only: whichever is down fails just the calls that need it, as UNAVAILABLE (ingress: 503).
 */
function storage<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    if (isStorageUnavailable(error)) throw unavailable("host storage is unavailable; try again", "storage-unavailable", error);
    throw error;
  });
}

function checkHost(host: string): string {
  if (!host || host.length > 255) throw invalidArgument("host is empty or too long");
  return host;
}

export function hostHealthService(
  book: HostBook,
  logger: Logger,
  clock: () => number,
  drillDown: Omit<DrillDownDependencies, "book" | "logger" | "clock">,
): GrpcService {
  const implementation: hostHealthRpc.HostHealthServer = {
    checkHost: unary(logger, async (request: hostHealthRpc.CheckHostRequest) => {
      const record = await storage(book.get(checkHost(request.host)));
      return { host: record ? toHost(record) : undefined };
    }),

    listHosts: unary(logger, async (request: hostHealthRpc.ListHostsRequest) => {
      if (request.state && !hostStates.includes(request.state as HostStateName)) throw invalidArgument(`unknown state ${request.state}`);
      const state = request.state ? (request.state as HostStateName) : null;
      const records = await storage(book.list(state, Math.min(request.limit || 1000, 10_000), request.after));
      return { hosts: records.map(toHost) };
    }),

    reportInbound: unary(logger, async (request: hostHealthRpc.ReportInboundRequest) => {
      const host = checkHost(request.host);
      const now = clock();
      const result = await storage(book.change([host], (record) => recordInbound(record, now), now));
      return { revived: result.get(host)?.transition?.from === "dead" };
    }),

    blockHost: unary(logger, async (request: hostHealthRpc.BlockHostRequest) => {
      const now = clock();
      await storage(book.change([checkHost(request.host)], block, now));
      return {};
    }),

    unblockHost: unary(logger, async (request: hostHealthRpc.UnblockHostRequest) => {
      const now = clock();
      await storage(book.change([checkHost(request.host)], (record) => unblock(record, now), now));
      return {};
    }),

    ...drillDownHandlers({ book, logger, clock, ...drillDown }),
  };
  return { name: "fediflow.v1.HostHealth", definition: hostHealthRpc.HostHealthService, implementation };
}

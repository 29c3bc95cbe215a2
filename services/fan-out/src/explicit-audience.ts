import { hostOf, parseRemoteUrl } from "@fediflow/activitypub";
import type { SigningKey } from "@fediflow/signing-keys";
import { boundedText } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import { UnresolvableActor, deliveryInboxOf, type ActorInboxes } from "./actor-document";
import { sortTargets, type Target } from "./fold-inboxes";

/** A named actor settled without a delivery; counted as one inbox of the activity. */
export interface SettledActor {
  actorId: string;
  host: string;
  /**
   * blocked: on a blocked host, never contacted. rejected: its server answered but gave no
   * usable actor. expired: its server could not be reached (what host-health counts against it).
   */
  outcome: "blocked" | "rejected" | "expired";
  status: number | null;
  reason: string;
}

export interface ExplicitAudience {
  /** audience.inboxes and the named actors' inboxes, sorted, without repeats. */
  targets: Target[];
  settled: SettledActor[];
}

/** Finds a remote actor's inboxes, from the cache or with a fetch signed by the key. */
export type ResolveActor = (actorId: string, key: () => Promise<SigningKey | null>) => Promise<ActorInboxes>;

export interface ExplicitAudienceDependencies {
  resolve: ResolveActor;
  hosts: HostStandings;
  /** The activity's actor's key, which signs the fetches (null: fetch unsigned). */
  signingKey(): Promise<SigningKey | null>;
  /** Actor documents fetched at once. */
  concurrency: number;
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function settledFailure(error: UnresolvableActor, host: string): SettledActor {
  const outcome = error.answer === "unreachable" ? "expired" : "rejected";
  const status = error.answer === "unreachable" ? null : error.answer.status;
  return { actorId: error.actorId, host, outcome, status, reason: boundedText(`actor could not be resolved: ${error.reason}`) };
}

/**
 * Resolves audience.inboxes and audience.actors into targets. A named actor on a blocked host
 * is never fetched: nothing is sent to a blocked server, not even a GET. One on a dead host is
 * fetched like any other (its inbox is then parked; an answer is news host-health wants).
 */
export async function resolveExplicitAudience(
  audience: { actors: string[]; inboxes: string[] },
  deps: ExplicitAudienceDependencies,
): Promise<ExplicitAudience> {
  const targets: Target[] = [];
  const settled: SettledActor[] = [];
  for (const inbox of audience.inboxes) {
    // Ingress accepted only http(s) URLs, so this parses.
    const url = parseRemoteUrl(inbox);
    targets.push({ host: url.host, inbox: url.href });
  }
  await forEachConcurrently([...new Set(audience.actors)], deps.concurrency, async (actorId) => {
    const host = hostOf(actorId);
    if (deps.hosts.of(host).state === "blocked") {
      settled.push({ actorId, host, outcome: "blocked", status: null, reason: "host is blocked" });
      return;
    }
    try {
      const inbox = deliveryInboxOf(await deps.resolve(actorId, deps.signingKey));
      targets.push({ host: hostOf(inbox), inbox });
    } catch (error) {
      if (!(error instanceof UnresolvableActor)) throw error;
      settled.push(settledFailure(error, host));
    }
  });
  return { targets: sortTargets(targets), settled };
}

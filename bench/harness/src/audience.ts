import type { Follower } from "@fediflow/client";
import type { VirtualHost } from "@fediflow/fake-fediverse";

export type { Follower };

export function followersOf(hosts: readonly VirtualHost[], perHost: readonly number[]): Follower[] {
  return hosts.flatMap((host, i) =>
    Array.from({ length: perHost[i] ?? 0 }, (_, n) => ({
      id: host.actorOf(`u${n}`),
      inbox: host.inboxOf(`u${n}`),
      ...(host.hasSharedInbox ? { sharedInbox: host.sharedInbox } : {}),
    })),
  );
}

/**
 * The inboxes one activity must reach after shared-inbox folding: what FediFlow computes
 * itself, and what the peers are handed so every system does the same work.
 */
export function foldedInboxes(hosts: readonly VirtualHost[], perHost: readonly number[], only?: (host: VirtualHost) => boolean): string[] {
  const inboxes: string[] = [];
  for (const [i, host] of hosts.entries()) {
    if (only && !only(host)) continue;
    if (host.hasSharedInbox) inboxes.push(host.sharedInbox);
    else for (let n = 0; n < (perHost[i] ?? 0); n += 1) inboxes.push(host.inboxOf(`u${n}`));
  }
  return inboxes;
}

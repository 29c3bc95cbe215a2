import { parseRemoteUrl } from "@fediflow/activitypub";

/** Where deliveries to a remote actor go. */
export interface ActorInboxes {
  inbox: string;
  sharedInbox: string | null;
}

/** A remote actor that could not be fetched or has no usable inbox. */
export class UnresolvableActor extends Error {
  constructor(
    readonly actorId: string,
    readonly reason: string,
    /** How the actor's server took the fetch: it answered (with this HTTP status, if any), or never did. */
    readonly answer: { status: number | null } | "unreachable" = { status: null },
  ) {
    super(`${actorId}: ${reason}`);
    this.name = "UnresolvableActor";
  }
}

function url(actorId: string, value: string, what: string): URL {
  try {
    return parseRemoteUrl(value);
  } catch {
    throw new UnresolvableActor(actorId, `${what} is not an http(s) URL`);
  }
}

/**
 * Reads `inbox` and `endpoints.sharedInbox` from a fetched actor document. A document whose
 * `id` names an actor on another host is refused: a server answers for its own actors only,
 * which is also how Mastodon checks fetched objects.
 */
export function inboxesOf(actorId: string, document: unknown): ActorInboxes {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new UnresolvableActor(actorId, "actor document is not a JSON object");
  }
  const doc = document as { id?: unknown; inbox?: unknown; endpoints?: { sharedInbox?: unknown } };
  if (typeof doc.id === "string" && url(actorId, doc.id, "id").host !== url(actorId, actorId, "actor id").host) {
    throw new UnresolvableActor(actorId, `document id ${doc.id} is on another host`);
  }
  if (typeof doc.inbox !== "string") throw new UnresolvableActor(actorId, "actor has no inbox");
  const inbox = url(actorId, doc.inbox, "inbox").href;
  const shared = doc.endpoints && typeof doc.endpoints.sharedInbox === "string" ? doc.endpoints.sharedInbox : null;
  return { inbox, sharedInbox: shared === null ? null : url(actorId, shared, "sharedInbox").href };
}

/** Where one delivery to the actor goes: its server's shared inbox when it has one, as Mastodon does. */
export const deliveryInboxOf = (inboxes: ActorInboxes): string => inboxes.sharedInbox ?? inboxes.inbox;

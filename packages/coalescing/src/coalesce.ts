/** What coalescing needs to know of a delivery waiting for one host. */
export interface Waiting {
  /** A key for the waiting delivery (FediFlow's activity id, or a schedule row). */
  key: string;
  type: string;
  /** The activity's own IRI (to match an Undo to what it undoes). */
  activityIri: string | null;
  /** For an Undo: the IRI of the activity it undoes. */
  undoes: string | null;
  /** Inboxes of this host it still has to reach. */
  inboxes: string[];
  /**
   * Tried before and not known to have failed cleanly (a timeout may have landed): it may have
   * arrived, so it can be replaced but never cancelled with its Delete or Undo.
   */
  attempted?: boolean;
}

/** Why an inbox of a waiting delivery no longer needs it. */
export type CoalescingRule =
  /** An Update replaced by a newer Update, or Updates by a Delete. */
  | "replaced"
  /** A Create and its Delete, never sent: the host never learns of the object. */
  | "create-deleted"
  /** A Like or Announce and its Undo, never sent. */
  | "reaction-undone";

export interface Superseded {
  key: string;
  inbox: string;
  rule: CoalescingRule;
}

const reactions = new Set(["Like", "Announce", "EmojiReact"]);

/**
 * Given the deliveries waiting in one lane (one object at one host), oldest first, which
 * (delivery, inbox) pairs no longer need sending because a newer one in the same lane makes
 * them pointless. Only standard activities are ever sent (nothing is merged into something new),
 * nothing is reordered, and a Delete is never dropped unless its Create is dropped with it
 * (waiting here means never sent).
 */
export function coalesce(lane: Waiting[]): Superseded[] {
  const superseded: Superseded[] = [];
  const dropped = new Set<string>();
  const drop = (key: string, inbox: string, rule: CoalescingRule) => {
    const id = `${key}\n${inbox}`;
    if (dropped.has(id)) return;
    dropped.add(id);
    superseded.push({ key, inbox, rule });
  };
  for (let older = 0; older < lane.length; older += 1) {
    const a = lane[older]!;
    for (const inbox of a.inboxes) {
      if (dropped.has(`${a.key}\n${inbox}`)) continue;
      for (let newer = older + 1; newer < lane.length; newer += 1) {
        const b = lane[newer]!;
        if (!b.inboxes.includes(inbox)) continue;
        // A newer Update or Delete makes an Update pointless, even when that newer one is itself
        // dropped later (a Delete cancelled with its Create): the host never needs this version.
        if (a.type === "Update" && (b.type === "Update" || b.type === "Delete")) {
          drop(a.key, inbox, "replaced");
          break;
        }
        // The pairs that cancel each other need a partner not already taken by another pair.
        if (dropped.has(`${b.key}\n${inbox}`) || a.attempted) continue;
        if (a.type === "Create" && b.type === "Delete") {
          drop(a.key, inbox, "create-deleted");
          drop(b.key, inbox, "create-deleted");
          break;
        }
        if (reactions.has(a.type) && b.type === "Undo" && a.activityIri !== null && b.undoes === a.activityIri) {
          drop(a.key, inbox, "reaction-undone");
          drop(b.key, inbox, "reaction-undone");
          break;
        }
      }
    }
  }
  return superseded;
}

/** The outcome that accounts for an inbox coalescing settled: never sent, the rule as the reason. */
export const supersededOutcome = (inbox: string, rule: CoalescingRule) => ({
  inbox,
  outcome: "superseded" as const,
  status: null,
  reason: `coalesced: ${rule}`,
  durationMs: 0,
});

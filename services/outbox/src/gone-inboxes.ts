import type { DeliveryReport } from "@fediflow/contracts";
import { parseRemoteUrl } from "@fediflow/activitypub";

/** An inbox that answered 404 or 410 to a delivery of one of the actor's activities. */
export interface GoneOutcome {
  actorId: string;
  inbox: string;
  host: string;
  status: number | null;
  activityId: string;
  /** ISO-8601. */
  at: string;
}

/** A follower of the actor whose deliveries went to that inbox. */
export interface FollowerBehind {
  actorId: string;
  targetInbox: string;
  followerId: string;
  sharedInbox: string | null;
}

export interface GoneEntryDraft {
  actorId: string;
  kind: "follower" | "sharedInbox";
  followerId: string | null;
  inbox: string;
  host: string;
  followers: number;
  status: number | null;
  activityId: string;
  goneAt: string;
}

function sameUrl(raw: string | null, normalised: string): boolean {
  if (raw === null) return false;
  try {
    return parseRemoteUrl(raw).href === normalised;
  } catch {
    return false;
  }
}

/**
 * What the feed learns from gone inboxes. A follower's own inbox gone means that follower is
 * gone: one entry for it. A shared inbox gone says nothing about any one follower behind it
 * (the server may have moved its endpoint, or broken it for an hour), so one entry names the
 * shared inbox and counts its followers; the application refreshes those actors rather than
 * dropping a whole server's followers. Inboxes no follower uses (explicit audience) add nothing.
 */
export function goneEntries(outcomes: GoneOutcome[], followers: FollowerBehind[]): GoneEntryDraft[] {
  const behind = new Map<string, FollowerBehind[]>();
  for (const follower of followers) {
    const key = `${follower.actorId}\n${follower.targetInbox}`;
    const list = behind.get(key) ?? [];
    list.push(follower);
    behind.set(key, list);
  }
  const entries: GoneEntryDraft[] = [];
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    const key = `${outcome.actorId}\n${outcome.inbox}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rows = behind.get(key) ?? [];
    const base = {
      actorId: outcome.actorId,
      inbox: outcome.inbox,
      host: outcome.host,
      status: outcome.status,
      activityId: outcome.activityId,
      goneAt: outcome.at,
    };
    const shared = rows.filter((row) => sameUrl(row.sharedInbox, outcome.inbox));
    if (shared.length > 0) entries.push({ ...base, kind: "sharedInbox", followerId: null, followers: shared.length });
    for (const row of rows) {
      if (!shared.includes(row)) entries.push({ ...base, kind: "follower", followerId: row.followerId, followers: 1 });
    }
  }
  return entries;
}

/** The 404/410 answers in a batch of reports. */
export function goneOutcomes(reports: DeliveryReport[]): GoneOutcome[] {
  return reports.flatMap((report) =>
    report.outcomes
      .filter((outcome) => outcome.outcome === "gone")
      .map((outcome) => ({
        actorId: report.actorId,
        inbox: outcome.inbox,
        host: report.host,
        status: outcome.status,
        activityId: report.activityId,
        at: report.at,
      })),
  );
}

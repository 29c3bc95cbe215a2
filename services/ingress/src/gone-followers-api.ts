import express, { type Router } from "express";
import { z } from "zod";
import type { outboxRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import { Problem } from "./problem";
import { parseQuery } from "./keyset";
import { iri, parseBody, requireJson } from "./validation";
import { callerOf } from "./principal";

/** Feed positions are decimal strings in JSON (they may outgrow what every client's numbers hold). */
const position = z.string().regex(/^[0-9]{1,15}$/, "must be a feed position (decimal digits)");

export const acknowledgeBody = z
  .strictObject({
    ids: z.array(position).max(10_000).optional(),
    upTo: position.optional(),
  })
  .refine((body) => (body.ids?.length ?? 0) > 0 || body.upTo !== undefined, { message: "name ids, upTo, or both" });

function actorParameter(value: string): string {
  const parsed = iri.safeParse(value);
  if (!parsed.success) {
    throw new Problem(400, "invalid-request", "Invalid request", "{actor} must be the actor's IRI, percent-encoded");
  }
  return parsed.data;
}

export const goneFollowersQuery = z.object({
  after: position.default("0"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** An entry as the API shows it: absent fields left out, positions as strings. */
function entryDocument(entry: outboxRpc.GoneEntry) {
  return {
    id: String(entry.id),
    kind: entry.kind,
    ...(entry.followerId ? { follower: entry.followerId } : {}),
    inbox: entry.inbox,
    host: entry.host,
    followers: entry.followers,
    ...(entry.status !== undefined ? { status: entry.status } : {}),
    goneAt: entry.goneAt,
    ...(entry.activityId ? { activityId: entry.activityId } : {}),
  };
}

/**
 * The gone-followers feed (an extension of the API): inboxes of an actor's followers that
 * answered 404 or 410, read in keyset pages and acknowledged once dealt with.
 */
export function goneFollowersRoutes(outbox: outboxRpc.OutboxClient): Router {
  const routes = express.Router();

  routes.get("/actors/:actor/gone-followers", async (req, res) => {
    const actorId = actorParameter(req.params.actor);
    const { after, limit } = parseQuery(goneFollowersQuery, req.query);
    const answer = await call(outbox, outbox.listGoneFollowers, { actorId, after: Number(after), limit }, 5_000, callerOf(res));
    const last = answer.entries[answer.entries.length - 1];
    res.json({ entries: answer.entries.map(entryDocument), next: answer.entries.length === limit && last ? String(last.id) : null });
  });

  routes.post("/actors/:actor/gone-followers/acknowledge", async (req, res) => {
    requireJson(req);
    const actorId = actorParameter(req.params.actor);
    const body = parseBody(acknowledgeBody, req.body);
    const answer = await call(
      outbox,
      outbox.acknowledgeGoneFollowers,
      { actorId, ids: (body.ids ?? []).map(Number), upTo: body.upTo === undefined ? undefined : Number(body.upTo) },
      5_000,
      callerOf(res),
    );
    res.json({ acknowledged: answer.acknowledged });
  });

  return routes;
}

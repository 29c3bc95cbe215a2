import { createHash } from "node:crypto";
import { z } from "zod";
import type { RequestHandler } from "express";
import { checkedIri, cleanText, hasControlCharacters, iri, maxFollowerEntries, normalIri, unstorableTextAt } from "@fediflow/contracts";
import { Problem } from "./problem";

export { iri, maxFollowerEntries };

const actorReference = z.union([checkedIri, z.looseObject({ id: checkedIri })]);

export const registerActorBody = z.strictObject({
  id: iri,
  keyId: iri,
  privateKeyPem: z.string().min(1).max(16_384),
  /** Admin tokens only: the application that owns the actor from now on. */
  application: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/)
    .optional(),
});

export const followersBody = z
  .strictObject({
    actor: iri,
    add: z.array(z.strictObject({ id: iri, inbox: iri, sharedInbox: iri.optional() })).default([]),
    remove: z.array(iri).default([]),
  })
  .refine((body) => body.add.length + body.remove.length <= maxFollowerEntries, {
    message: `at most ${maxFollowerEntries} entries (add plus remove) per call`,
  });

export const activityBody = z.strictObject({
  actor: iri,
  // Checked, not rewritten: the activity goes out exactly as the application wrote it.
  activity: z.looseObject({
    id: checkedIri,
    type: cleanText(64),
    actor: actorReference,
  }),
  audience: z
    .strictObject({
      followers: z.boolean().default(false),
      actors: z.array(iri).max(maxFollowerEntries).default([]),
      inboxes: z.array(iri).max(maxFollowerEntries).default([]),
    })
    .refine((audience) => audience.followers || audience.actors.length > 0 || audience.inboxes.length > 0, {
      message: "names nobody: set followers, actors or inboxes",
    }),
  idempotencyKey: cleanText(255).optional(),
});

export type ActivityBody = z.infer<typeof activityBody>;

const invalidText = (errors: Array<Record<string, string>>, where: string) =>
  new Problem(400, "invalid-text", "Invalid text", `${where}: control characters and lone surrogates are not accepted`, { errors });

/**
 * Refuses, before any route runs, a body holding U+0000 or a lone surrogate anywhere (no
 * database stores them) and a query parameter holding any control character: a 400 that
 * points at the value, never a 500 from deeper down.
 */
export const refuseUnstorableText: RequestHandler = (req, _res, next) => {
  const pointer = req.body === undefined ? null : unstorableTextAt(req.body);
  if (pointer !== null) return next(invalidText([{ pointer, detail: "holds U+0000 or a lone surrogate" }], pointer));
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    if (hasControlCharacters(name) || values.some((v) => typeof v === "string" && hasControlCharacters(v))) {
      return next(invalidText([{ parameter: name, detail: "holds a control character or a lone surrogate" }], `query parameter ${name}`));
    }
  }
  next();
};

/** Refuses a body that is not JSON (415) before it is parsed. */
export function requireJson(req: { is(types: string[]): string | false | null }): void {
  if (!req.is(["application/json", "application/*+json"])) {
    throw new Problem(415, "unsupported-media-type", "Unsupported media type", "send the body as application/json");
  }
}

/** Parses a body or throws a 400 problem listing every invalid field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new Problem(400, "invalid-request", "Invalid request", "the body must be a JSON object");
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => ({ pointer: `/${issue.path.join("/")}`, detail: issue.message }));
    throw new Problem(
      400,
      "invalid-request",
      "Invalid request",
      errors.map((e) => `${e.pointer === "/" ? "body" : e.pointer}: ${e.detail}`).join("; "),
      { errors },
    );
  }
  return result.data;
}

/** The id of an activity's actor, whether given as an IRI or an embedded object, normalised. */
export function actorIdOf(activity: ActivityBody["activity"]): string {
  return normalIri(typeof activity.actor === "string" ? activity.actor : activity.actor.id);
}

/** Identifies a request for the idempotency check: same key, same digest, same activity. */
export function requestDigest(body: ActivityBody): string {
  return createHash("sha256")
    .update(JSON.stringify({ actor: body.actor, activity: body.activity, audience: body.audience }))
    .digest("hex");
}

/** A host as the API names it: a DNS name or IP literal, optionally with a port, lower-cased. */
export function parseHostParameter(value: string): string {
  if (value.length > 255 || /[/?#@\s]/.test(value)) throw new Problem(400, "invalid-host", "Invalid host", `not a host: ${value}`);
  try {
    const url = new URL(`https://${value}`);
    if (!url.hostname) throw new Error("empty");
    return url.host;
  } catch {
    throw new Problem(400, "invalid-host", "Invalid host", `not a host: ${value}`);
  }
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { Problem } from "./problem";
import { mayActAsActor, mayOperate, principalOf, type ApiToken, type Principal } from "./principal";

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/** The bearer token a request presents (scheme case-insensitive, any spacing), or null. */
export function presentedToken(req: Request): string | null {
  return /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1] ?? null;
}

/**
 * Bearer-token check. Tokens are compared as SHA-256 digests with timingSafeEqual, so neither
 * a token's content nor its length leaks through response timing; every token is compared.
 * The matching token's principal is kept for the scope checks and the calls behind the route.
 */
export function bearerAuth(tokens: ApiToken[]): RequestHandler {
  const expected = tokens.map(({ token, principal }) => ({ digest: digest(token), principal }));
  return (req, res, next) => {
    const token = presentedToken(req);
    const presented = digest(token ?? "");
    let matched: Principal | null = null;
    for (const candidate of expected) if (timingSafeEqual(candidate.digest, presented)) matched ??= candidate.principal;
    if (token === null || matched === null) {
      next(new Problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required", {}));
      return;
    }
    res.locals.principal = matched;
    next();
  };
}

/** Hosts, host-wide redrives, parked deliveries and quarantine: admin and operator tokens. */
export function requireOperator(res: Response): void {
  if (!mayOperate(principalOf(res))) {
    throw new Problem(403, "forbidden", "Forbidden", "this route needs an operator token; an application token cannot manage hosts");
  }
}

/** Registering actors, their followers and their activities: admin and application tokens. */
export function requireActorScope(res: Response): void {
  if (!mayActAsActor(principalOf(res))) {
    throw new Problem(403, "forbidden", "Forbidden", "an operator token does not act as an application's actor");
  }
}

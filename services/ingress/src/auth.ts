import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { Problem } from "./problem";

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/** The bearer token a request presents (scheme case-insensitive, any spacing), or null. */
export function presentedToken(req: Request): string | null {
  return /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1] ?? null;
}

/**
 * Bearer-token check. Tokens are compared as SHA-256 digests with timingSafeEqual, so neither
 * a token's content nor its length leaks through response timing; every token is compared.
 */
export function bearerAuth(tokens: string[]): RequestHandler {
  const expected = tokens.map(digest);
  return (req, _res, next) => {
    const token = presentedToken(req);
    const presented = digest(token ?? "");
    let valid = false;
    for (const candidate of expected) valid = timingSafeEqual(candidate, presented) || valid;
    if (token === null || !valid) {
      next(new Problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required", {}));
      return;
    }
    next();
  };
}

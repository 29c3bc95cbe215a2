import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { Problem } from "./problem";

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * Bearer-token check. Tokens are compared as SHA-256 digests with timingSafeEqual, so neither
 * a token's content nor its length leaks through response timing; every token is compared.
 */
export function bearerAuth(tokens: string[]): RequestHandler {
  const expected = tokens.map(digest);
  return (req, _res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const presented = digest(match?.[1] ?? "");
    let valid = false;
    for (const token of expected) valid = timingSafeEqual(token, presented) || valid;
    if (!match || !valid) {
      next(new Problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required", {}));
      return;
    }
    next();
  };
}

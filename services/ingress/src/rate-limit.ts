import { createHash } from "node:crypto";
import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";
import { presentedToken } from "./auth";
import { Problem } from "./problem";

/**
 * A limit of requests per bearer token per minute (per ingress process), so one misbehaving
 * client cannot starve the others. Keyed by a hash of the token: the token itself is never
 * kept. The key is the token as auth reads it, not the raw header: "bearer  T" and "BEARER T"
 * spend T's budget. Answered with 429, Retry-After and problem+json.
 */
export function perTokenRateLimit(perMinute: number): RequestHandler {
  if (perMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: "draft-7",
    legacyHeaders: false,
    keyGenerator: (req) =>
      createHash("sha256")
        .update(presentedToken(req) ?? "")
        .digest("hex"),
    handler: (_req, _res, next, options) => {
      next(
        new Problem(
          429,
          "rate-limited",
          "Too many requests",
          `more than ${options.limit} requests a minute with this token; retry after the time in Retry-After`,
        ),
      );
    },
  });
}

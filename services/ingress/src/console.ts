import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Router } from "express";

/** Where the console's static build is: packages/console/dist, found through the workspace link. */
export function consoleDirectory(): string | null {
  try {
    const dist = path.join(path.dirname(require.resolve("@fediflow/console/package.json")), "dist");
    return existsSync(path.join(dist, "index.html")) ? dist : null;
  } catch {
    return null;
  }
}

// The console is a static bundle that talks only to /v1 on the same origin: nothing inline,
// nothing from elsewhere, and never framed (a framed console could be clicked into a redrive).
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** GET /console/…: the operator console; anything else, or a build without it, meets the API's 404. */
export function consoleRoutes(directory: string | null): Router {
  const routes = express.Router();
  routes.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next("router");
    if (!directory) return next("router");
    // /console without its slash: the page loads its assets from /console/assets.
    if (req.originalUrl === "/console" || req.originalUrl.startsWith("/console?")) return res.redirect(301, "/console/");
    res.set({
      "content-security-policy": contentSecurityPolicy,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-opener-policy": "same-origin",
    });
    next();
  });
  if (directory) {
    // Hashed assets never change; index.html must be fetched anew to pick up a new build.
    routes.use("/assets", express.static(path.join(directory, "assets"), { immutable: true, maxAge: "365d" }));
    routes.use(express.static(directory, { index: "index.html", maxAge: 0 }));
  }
  return routes;
}

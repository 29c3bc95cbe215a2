import { z } from "zod";
import { Problem } from "./problem";

/**
 * Keyset pagination of the v1 extension's lists: `limit` (1–1000, default 100) and an opaque
 * `cursor` that the previous page's `next` gave. The cursor is the last row's key, base64url
 * encoded, so a page is an index range scan however deep it is, and rows added meanwhile are
 * neither skipped nor repeated.
 */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(8192).optional(),
});

export const encodeCursor = (key: readonly string[]): string => Buffer.from(JSON.stringify(key)).toString("base64url");

/** The key a cursor names, with `parts` strings; a cursor from elsewhere is a 400. */
export function decodeCursor(cursor: string | undefined, parts: number): string[] | null {
  if (cursor === undefined || cursor === "") return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.length === parts && key.every((part) => typeof part === "string")) return key as string[];
  } catch {
    // falls through to the problem
  }
  throw new Problem(400, "invalid-request", "Invalid request", "cursor is not a cursor this list gave out", {
    errors: [{ pointer: "?cursor", detail: "not a cursor this list gave out" }],
  });
}

/** Parses a query string or throws a 400 problem naming each invalid parameter (`?name`). */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ pointer: `?${issue.path.join(".")}`, detail: issue.message }));
  throw new Problem(400, "invalid-request", "Invalid request", errors.map((e) => `${e.pointer}: ${e.detail}`).join("; "), { errors });
}

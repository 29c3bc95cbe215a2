import { createHash } from "node:crypto";

/** `Digest` header value (RFC 3230) of a body, as Mastodon checks it: "SHA-256=<base64>". */
export function digestHeader(body: string | Buffer): string {
  return `SHA-256=${createHash("sha256").update(body).digest("base64")}`;
}

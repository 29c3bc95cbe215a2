import type { IncomingHttpHeaders } from "node:http";
import type { KeyObject } from "node:crypto";
import { parseSignatureHeader, verifyCavageSignature } from "@fediflow/activitypub";

/** One GET of an actor document a virtual server received. */
export interface ReceivedFetch {
  host: string;
  /** The actor URL that was fetched. */
  url: string;
  accept: string | null;
  keyId: string | null;
  /** A draft-cavage signature over at least (request-target), host and date that verifies. */
  signatureValid: boolean;
  /** A W3C traceparent header, which FediFlow must never send to a remote server. */
  traceparent: string | null;
  status: number;
  receivedAt: number;
}

/** The headers Mastodon's secure mode requires to be signed on a GET. */
const requiredOnGet = ["(request-target)", "host", "date"];

/** Checks the Signature header of a GET against the trusted keys, as a server in authorized-fetch mode does. */
export function checkFetchSignature(
  headers: IncomingHttpHeaders,
  path: string,
  keys: ReadonlyMap<string, KeyObject>,
): { keyId: string | null; signatureValid: boolean } {
  const header = (name: string) => (typeof headers[name] === "string" ? (headers[name] as string) : null);
  try {
    const parsed = parseSignatureHeader(header("signature") ?? "");
    const key = keys.get(parsed.keyId);
    if (!key || !requiredOnGet.every((name) => parsed.headers.includes(name))) return { keyId: parsed.keyId, signatureValid: false };
    const headerValues: Record<string, string> = {};
    for (const name of parsed.headers) if (name !== "(request-target)") headerValues[name] = header(name) ?? "";
    return { keyId: parsed.keyId, signatureValid: verifyCavageSignature(parsed, { method: "GET", path, headerValues }, key) };
  } catch {
    return { keyId: null, signatureValid: false };
  }
}

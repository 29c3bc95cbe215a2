import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";

/** The headers Mastodon requires to be signed on a POST to an inbox. */
export const signedPostHeaders = ["(request-target)", "host", "date", "digest", "content-type"] as const;

export interface SignatureInput {
  method: string;
  /** Path and query of the request target. */
  path: string;
  /** Lower-cased header names to values; must include every header in `headers` but the pseudo one. */
  headerValues: Record<string, string>;
  headers: readonly string[];
}

/** The signing string of draft-cavage-http-signatures-12, section 2.3. */
export function signingString(input: SignatureInput): string {
  return input.headers
    .map((name) => {
      if (name === "(request-target)") return `(request-target): ${input.method.toLowerCase()} ${input.path}`;
      const value = input.headerValues[name];
      if (value === undefined) throw new Error(`header ${name} is signed but missing`);
      return `${name}: ${value}`;
    })
    .join("\n");
}

/**
 * The `Signature` header value (draft-cavage, algorithm rsa-sha256 as Mastodon expects; it
 * also accepts hs2019 but every server understands rsa-sha256).
 */
export function cavageSignature(input: SignatureInput, keyId: string, privateKey: KeyObject): string {
  const signature = sign("sha256", Buffer.from(signingString(input)), privateKey).toString("base64");
  return `keyId="${keyId}",algorithm="rsa-sha256",headers="${input.headers.join(" ")}",signature="${signature}"`;
}

export interface ParsedSignature {
  keyId: string;
  algorithm: string;
  headers: string[];
  signature: Buffer;
}

export function parseSignatureHeader(value: string): ParsedSignature {
  const fields: Record<string, string> = {};
  for (const match of value.matchAll(/([a-zA-Z]+)="([^"]*)"/g)) fields[match[1]!] = match[2]!;
  if (!fields.keyId || !fields.signature) throw new Error("signature header lacks keyId or signature");
  return {
    keyId: fields.keyId,
    algorithm: fields.algorithm ?? "hs2019",
    headers: (fields.headers ?? "date").split(" "),
    signature: Buffer.from(fields.signature, "base64"),
  };
}

/** Verifies a draft-cavage signature against a public key (the fake fediverse uses this). */
export function verifyCavageSignature(
  parsed: ParsedSignature,
  request: Omit<SignatureInput, "headers">,
  publicKey: KeyObject | string,
): boolean {
  const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
  const text = signingString({ ...request, headers: parsed.headers });
  return verify("sha256", Buffer.from(text), key, parsed.signature);
}

import { createHash, type KeyObject } from "node:crypto";
import { createSigner, createVerifier, httpbis } from "http-message-signatures";

/** `Content-Digest` (RFC 9530) of a body: `sha-256=:<base64>:`. */
export function contentDigestHeader(body: string | Buffer): string {
  return `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
}

/** The components FediFlow signs on a POST, as Fedify signs them for RFC 9421. */
export const rfc9421PostComponents = ["@method", "@target-uri", "@authority", "content-type", "content-digest"];

export const rfc9421Algorithm = (key: KeyObject): "rsa-v1_5-sha256" | "ed25519" =>
  key.asymmetricKeyType === "ed25519" ? "ed25519" : "rsa-v1_5-sha256";

/**
 * RFC 9421 `Signature-Input` and `Signature` headers for a request whose headers already hold
 * every signed field (content-type, content-digest).
 */
export async function rfc9421Headers(
  request: { method: string; url: string; headers: Record<string, string> },
  keyId: string,
  key: KeyObject,
  components: string[] = rfc9421PostComponents,
): Promise<{ "signature-input": string; signature: string }> {
  const signed = await httpbis.signMessage(
    {
      key: createSigner(key, rfc9421Algorithm(key), keyId),
      fields: components,
      params: ["created", "keyid", "alg"],
      name: "sig1",
    },
    { method: request.method, url: request.url, headers: { ...request.headers } },
  );
  return {
    "signature-input": String(signed.headers["Signature-Input"] ?? signed.headers["signature-input"]),
    signature: String(signed.headers.Signature ?? signed.headers.signature),
  };
}

/** Verifies an RFC 9421 signature with a public key; false when absent, malformed or wrong. */
export async function verifyRfc9421Signature(
  request: { method: string; url: string; headers: Record<string, string> },
  publicKey: KeyObject,
): Promise<{ valid: boolean; keyId: string | null }> {
  let keyId: string | null = null;
  try {
    const valid = await httpbis.verifyMessage(
      {
        async keyLookup(params) {
          keyId = typeof params.keyid === "string" ? params.keyid : null;
          return {
            id: keyId ?? undefined,
            algs: [rfc9421Algorithm(publicKey)],
            verify: createVerifier(publicKey, rfc9421Algorithm(publicKey)),
          };
        },
      },
      request,
    );
    return { valid: valid === true, keyId };
  } catch {
    return { valid: false, keyId };
  }
}

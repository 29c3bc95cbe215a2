import { createPrivateKey, type KeyObject } from "node:crypto";
import { cavageSignature, digestHeader, signedPostHeaders } from "@fediflow/activitypub";

export const privateKeyOf = (pem: string): KeyObject => createPrivateKey(pem);

/**
 * One signed inbox POST as a hand-written sender does it (draft-cavage rsa-sha256 over the
 * headers Mastodon requires, Digest over the body), over fetch's default keep-alive pool.
 */
export async function postSigned(inbox: string, body: string, keyId: string, key: KeyObject): Promise<number> {
  const url = new URL(inbox);
  const headerValues = {
    host: url.host,
    date: new Date().toUTCString(),
    digest: digestHeader(body),
    "content-type": "application/activity+json",
  };
  const signature = cavageSignature({ method: "POST", path: url.pathname, headerValues, headers: signedPostHeaders }, keyId, key);
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headerValues, signature, "user-agent": "bench-peer" },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

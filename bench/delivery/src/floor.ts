import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { cavageSignature, digestHeader, signedPostHeaders } from "@fediflow/activitypub";
import { Agent } from "undici";

/** RSA-2048 signatures of a draft-cavage signing string per second, on one core. */
export function signaturesPerSecond(key: KeyObject, seconds: number): number {
  const text = Buffer.from(
    `(request-target): post /users/u1/inbox\nhost: 127.78.1.1:40000\ndate: ${new Date().toUTCString()}\ndigest: SHA-256=abc\ncontent-type: application/activity+json`,
  );
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    sign("sha256", text, key);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

export interface PostFloor {
  postsPerSecond: number;
  /** CPU of this (client) process per POST, ms. */
  clientCpuMsPerPost: number;
}

/**
 * Keep-alive POSTs per second to the fake fediverse with the same per-host concurrency as the
 * delivery process, requests signed beforehand so the timed part is HTTP alone (the server
 * still verifies each signature, as in the delivery run).
 */
export async function keepAlivePosts(
  inboxesByHost: Map<string, string[]>,
  body: string,
  keyId: string,
  key: KeyObject,
  perHost: number,
): Promise<PostFloor> {
  const digest = digestHeader(body);
  const prepared = new Map<string, Array<{ url: URL; headers: Record<string, string> }>>();
  for (const [host, inboxes] of inboxesByHost) {
    prepared.set(
      host,
      inboxes.map((inbox) => {
        const url = new URL(inbox);
        const headerValues = { host: url.host, date: new Date().toUTCString(), digest, "content-type": "application/activity+json" };
        const signature = cavageSignature({ method: "POST", path: url.pathname, headerValues, headers: signedPostHeaders }, keyId, key);
        return { url, headers: { ...headerValues, signature } };
      }),
    );
  }
  const agent = new Agent({ connections: perHost, keepAliveTimeout: 30_000 });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let posts = 0;
  await Promise.all(
    [...prepared.values()].flatMap((requests) => {
      let next = 0;
      return Array.from({ length: perHost }, async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          const response = await agent.request({
            origin: request.url.origin,
            path: request.url.pathname,
            method: "POST",
            headers: request.headers,
            body,
          });
          await response.body.dump();
          if (response.statusCode !== 202) throw new Error(`floor POST answered ${response.statusCode}`);
          posts += 1;
        }
      });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await agent.close();
  return { postsPerSecond: posts / seconds, clientCpuMsPerPost: (cpu.user + cpu.system) / 1000 / posts };
}

export const newRsaKey = () => generateKeyPairSync("rsa", { modulusLength: 2048 });

import { createRequire } from "node:module";
import path from "node:path";
import { webcrypto } from "node:crypto";
import type { Peer, PeerJob } from "./peer-job";

/**
 * Fedify lives in its own install (bench/harness/fedify-peer) because it requires Node ≥ 22
 * and the workspace's .npmrc keeps engine-strict for Node 20; this file runs under the Node 22
 * binary installed there. Only the few members used here are typed.
 */
export const fedifyPeerDirectory = path.join(__dirname, "..", "..", "fedify-peer");

interface FedifyContext {
  sendActivity(
    sender: Array<{ privateKey: webcrypto.CryptoKey; keyId: URL }>,
    recipients: Array<{ id: URL | null; inboxId: URL | null; endpoints: null }>,
    activity: unknown,
    options?: { preferSharedInbox?: boolean },
  ): Promise<void>;
}
interface FedifyFederation {
  createContext(baseUrl: URL, contextData: undefined): FedifyContext;
  startQueue(contextData: undefined, options?: { signal?: AbortSignal }): Promise<void>;
}
interface FedifyModule {
  createFederation(options: Record<string, unknown>): FedifyFederation;
  MemoryKvStore: new () => unknown;
  InProcessMessageQueue: new () => unknown;
  ParallelMessageQueue: new (queue: unknown, workers: number) => unknown;
}
interface VocabModule {
  Activity: { fromJsonLd(json: unknown): Promise<unknown> };
}

const pemBody = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");

/**
 * Fedify as its documentation sets it up for one process: an in-process queue made parallel
 * (ParallelMessageQueue with `concurrency` workers), a memory KV store, and sendActivity to
 * the recipients; it fans out through its own queue, signing each request. The first knock
 * is draft-cavage, what the fake fediverse (like Mastodon before 4.4) verifies, so no request
 * is spent on a refused RFC 9421 attempt.
 */
export function fedifyQueue(): Peer {
  const stop = new AbortController();
  let context: FedifyContext | undefined;
  let activity: unknown;
  let privateKey: webcrypto.CryptoKey | undefined;
  return {
    async prepare(job: PeerJob) {
      const load = createRequire(path.join(fedifyPeerDirectory, "package.json"));
      const fedify = load("@fedify/fedify") as FedifyModule;
      const vocab = load("@fedify/vocab") as VocabModule;
      const federation = fedify.createFederation({
        kv: new fedify.MemoryKvStore(),
        queue: new fedify.ParallelMessageQueue(new fedify.InProcessMessageQueue(), job.concurrency),
        manuallyStartQueue: true,
        allowPrivateAddress: true,
        firstKnock: "draft-cavage-http-signatures-12",
        userAgent: "bench-fedify",
      });
      void federation.startQueue(undefined, { signal: stop.signal });
      context = federation.createContext(new URL(job.activity.actor), undefined);
      activity = await vocab.Activity.fromJsonLd(job.activity);
      privateKey = await webcrypto.subtle.importKey(
        "pkcs8",
        pemBody(job.privateKeyPem),
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        true,
        ["sign"],
      );
    },
    async deliver(job: PeerJob) {
      const recipients = job.inboxes.map((inbox) => ({ id: new URL(inbox), inboxId: new URL(inbox), endpoints: null }));
      await context!.sendActivity([{ privateKey: privateKey!, keyId: new URL(job.keyId) }], recipients, activity);
    },
    async close() {
      stop.abort();
    },
  };
}

import type { Peer, PeerJob } from "./peer-job";
import { postSigned, privateKeyOf } from "./signed-post";

/** The simplest sender there is: one inbox after the other, each signed and awaited. */
export function naiveLoop(): Peer {
  let stopped = false;
  return {
    async prepare() {},
    async deliver(job: PeerJob) {
      const key = privateKeyOf(job.privateKeyPem);
      const body = JSON.stringify(job.activity);
      for (const inbox of job.inboxes) {
        if (stopped) return;
        await postSigned(inbox, body, job.keyId, key).catch(() => 0);
      }
    },
    async close() {
      stopped = true;
    },
  };
}

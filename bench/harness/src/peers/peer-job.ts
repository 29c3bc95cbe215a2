/** What every peer is handed: one activity, already folded into inboxes, and the actor's key. */
export interface PeerJob {
  /** The activity JSON as FediFlow receives it. */
  activity: { id: string; type: string; actor: string; [key: string]: unknown };
  inboxes: string[];
  keyId: string;
  privateKeyPem: string;
  /** Requests in flight at once (workers), where the peer has such a knob. */
  concurrency: number;
  /** Redis for the BullMQ peer. */
  redisUrl: string;
}

export type PeerName = "fedify" | "bullmq" | "naive";

export const peerNames: readonly PeerName[] = ["fedify", "bullmq", "naive"];

/** A peer's way of delivering: resolves once it has nothing left to send (or never, for queues). */
export interface Peer {
  prepare(job: PeerJob): Promise<void>;
  deliver(job: PeerJob): Promise<void>;
  close(): Promise<void>;
}

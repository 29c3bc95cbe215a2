import type { FakeFediverse, VirtualHost } from "@fediflow/fake-fediverse";
import type { ShapedFediverse } from "./fediverse-shape";

/** An activity as the harness builds it: a Create of a 600-character Note. (A type, not an
 * interface, so it passes where any JSON object is taken.) */
export type BenchActivity = {
  "@context": string;
  id: string;
  type: string;
  actor: string;
  object: { id: string; type: string; attributedTo: string; content: string };
};

/** What every system in one run shares: the fake fediverse, the audience and the actor's key. */
export interface BenchWorld {
  fediverse: FakeFediverse;
  /** The audience's hosts (the floor's extra hosts excluded). */
  hosts: VirtualHost[];
  shaped: ShapedFediverse;
  /** Every follower's inbox after shared-inbox folding, all hosts healthy. */
  allInboxes: string[];
  actor: string;
  keyId: string;
  privateKeyPem: string;
  /** A new activity, its id naming the run it is for. */
  activityFor(run: string): BenchActivity;
  say(line: string): void;
}

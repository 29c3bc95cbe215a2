import type { EachBatchPayload } from "kafkajs";
import { rejoinRequest } from "./rebalance-signal";

/**
 * This member's place in its consumer group: the partitions assigned to it, the generation
 * (assignments received so far, which tells a refusal meant for this generation from a late
 * one), and the coordinator's request to rejoin, from the first heartbeat or commit it refused
 * in this generation, cleared by the next assignment.
 */
export class GroupMembership {
  private assigned = new Set<number>();
  private generationCount = 0;
  private rejoinRequest: Error | undefined;

  get generation(): number {
    return this.generationCount;
  }

  /** Set while the group rebalances: nothing more is admitted. */
  get rejoin(): Error | undefined {
    return this.rejoinRequest;
  }

  owns(partition: number): boolean {
    return this.assigned.has(partition);
  }

  /** The partitions owned now, ascending. */
  partitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  /** A new assignment starts a generation; returns the partitions lost and gained. */
  assign(assignment: Set<number>): { revoked: number[]; added: number[] } {
    this.generationCount += 1;
    this.rejoinRequest = undefined;
    const revoked = [...this.assigned].filter((partition) => !assignment.has(partition));
    const added = [...assignment].filter((partition) => !this.assigned.has(partition));
    this.assigned = assignment;
    return { revoked, added };
  }

  /**
   * A heartbeat or commit of `generation` failed with `error`: the coordinator's request to
   * rejoin when that is what it was and it is news for this generation, else undefined.
   */
  noticeRefusal(error: unknown, generation: number): Error | undefined {
    const rejoin = rejoinRequest(error);
    if (!rejoin || this.rejoinRequest || generation !== this.generationCount) return undefined;
    this.rejoinRequest = rejoin;
    return rejoin;
  }
}

/** What a batch asks of the group while it admits messages. */
export interface BatchControl {
  /** kafkajs's heartbeat; a refusal is passed to onRefusal, then thrown. */
  heartbeat(): Promise<void>;
  /**
   * False: stop quietly (the consumer is stopping, or kafkajs has moved on). Throws the
   * coordinator's request to rejoin, which ends the batch and makes kafkajs rejoin.
   */
  admitting(): boolean;
}

export function batchControl(
  { heartbeat, isRunning, isStale }: EachBatchPayload,
  membership: GroupMembership,
  stopping: () => boolean,
  onRefusal: (error: unknown, generation: number) => void,
): BatchControl {
  const { generation } = membership;
  return {
    heartbeat: async () => {
      try {
        await heartbeat();
      } catch (error) {
        onRefusal(error, generation);
        throw error;
      }
    },
    admitting: () => {
      if (stopping() || !isRunning() || isStale()) return false;
      if (membership.rejoin) throw membership.rejoin;
      return true;
    },
  };
}

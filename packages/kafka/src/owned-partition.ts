import type { Kafka } from "kafkajs";
import { PartitionOffsets, decodeFinishedOffsets, encodeFinishedOffsets } from "./offset-tracker";

/** What a member keeps of a partition it owns, from the partition's first batch until it is revoked. */
export class OwnedPartition {
  /** The offset and metadata last committed, so an unchanged partition is not committed again. */
  private lastCommitted: string | null = null;

  private constructor(
    readonly offsets: PartitionOffsets,
    /** Offsets finished before a restart (from the commit metadata), passed over when refetched. */
    private readonly skipped: Set<number>,
    public highWatermark: number,
    /** The log end when the partition was assigned: offsets below it may be redeliveries. */
    private readonly logEndAtAssignment: number,
  ) {}

  /** Prepares a partition from the group's committed offset and its metadata. */
  static async load(
    kafka: Kafka,
    groupId: string,
    topic: string,
    partition: number,
    firstOffset: number,
    highWatermark: number,
  ): Promise<OwnedPartition> {
    const admin = kafka.admin();
    await admin.connect();
    let committed = firstOffset;
    let metadata: string | null = null;
    let logEnd = firstOffset;
    try {
      const [[topicOffsets], ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
      const entry = topicOffsets?.partitions.find((p) => p.partition === partition);
      if (entry && Number(entry.offset) >= 0) {
        committed = Number(entry.offset);
        metadata = entry.metadata;
      }
      // Read after the assignment: the previous owner fetched nothing beyond it.
      logEnd = Number(ends.find((p) => p.partition === partition)?.high ?? firstOffset);
    } finally {
      await admin.disconnect();
    }
    return new OwnedPartition(
      new PartitionOffsets(Math.min(committed, firstOffset)),
      decodeFinishedOffsets(committed, metadata),
      highWatermark,
      logEnd,
    );
  }

  /** An offset an earlier owner may have handled (it was in the log at assignment). */
  mayBeRedelivered(offset: number): boolean {
    return offset < this.logEndAtAssignment;
  }

  /** True for an offset already handed over, or finished before a restart: no work for it. */
  passOver(offset: number): boolean {
    if (this.offsets.hasSeen(offset)) return true;
    if (!this.skipped.delete(offset)) return false;
    this.finishUnworked(offset);
    return true;
  }

  /** An offset that needs no work (finished before, or undecodable): counted as finished. */
  finishUnworked(offset: number): void {
    this.offsets.receive(offset);
    this.offsets.finish(offset);
  }

  /** What to commit now, or null when nothing changed since the last commit. */
  takeCommit(): { offset: string; metadata: string } | null {
    const offset = this.offsets.commitOffset();
    const metadata = encodeFinishedOffsets(offset, this.offsets.finishedAbove());
    const signature = `${offset}/${metadata}`;
    if (this.lastCommitted === signature) return null;
    this.lastCommitted = signature;
    return { offset: String(offset), metadata };
  }

  /** The commit was refused: the next one sends it again. */
  commitRefused(): void {
    this.lastCommitted = null;
  }
}

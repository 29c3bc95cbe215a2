/**
 * Which offsets of one partition are finished, when work completes out of order.
 *
 * The committed offset is the first unfinished one (Kafka resumes there after a restart); the
 * finished offsets above it travel in the commit's metadata string, so a restart skips them
 * instead of doing them twice. This is the scheme of Confluent's Parallel Consumer.
 */
export class PartitionOffsets {
  /** Offsets received and not yet below the commit point, ascending. */
  private received: number[] = [];
  private head = 0;
  private readonly finished = new Set<number>();
  private lastReceived: number;

  /** @param start the first offset this process will see (the committed offset). */
  constructor(start: number) {
    this.lastReceived = start - 1;
  }

  /** Records a fetched offset; false when it was already seen (a refetch after a rebalance). */
  receive(offset: number): boolean {
    if (offset <= this.lastReceived) return false;
    this.lastReceived = offset;
    this.received.push(offset);
    return true;
  }

  /** True for an offset received before: a refetch after a rebalance of work admitted here. */
  hasSeen(offset: number): boolean {
    return offset <= this.lastReceived;
  }

  finish(offset: number): void {
    this.finished.add(offset);
    while (this.head < this.received.length && this.finished.has(this.received[this.head]!)) {
      this.finished.delete(this.received[this.head]!);
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.received.length) {
      this.received = this.received.slice(this.head);
      this.head = 0;
    }
  }

  /** Offsets received but not finished. */
  get unfinished(): number {
    return this.received.length - this.head - this.finished.size;
  }

  /** The offset to commit: the first unfinished one, or the next to fetch when all are done. */
  commitOffset(): number {
    return this.head < this.received.length ? this.received[this.head]! : this.lastReceived + 1;
  }

  /** Finished offsets above the commit offset, ascending. */
  finishedAbove(): number[] {
    return [...this.finished].sort((a, b) => a - b);
  }
}

/** Kafka's default offset.metadata.max.bytes is 4096. */
const metadataLimit = 4000;
const prefix = "ff1:";

/**
 * Encodes finished offsets above the commit offset as ranges relative to it, in base 36
 * ("ff1:3+2,9" = base+3..base+4 and base+9). When the ranges do not fit, the tail is dropped:
 * those offsets are redelivered, never lost.
 */
export function encodeFinishedOffsets(commitOffset: number, finished: number[]): string {
  let out = prefix;
  let index = 0;
  while (index < finished.length) {
    const start = finished[index]!;
    let end = start;
    while (index + 1 < finished.length && finished[index + 1] === end + 1) {
      index += 1;
      end += 1;
    }
    index += 1;
    const delta = (start - commitOffset).toString(36);
    const range = end > start ? `${delta}+${(end - start).toString(36)}` : delta;
    const next = out.length === prefix.length ? out + range : `${out},${range}`;
    if (next.length > metadataLimit) break;
    out = next;
  }
  return out === prefix ? "" : out;
}

/** The inverse of encodeFinishedOffsets; anything unreadable means "nothing finished". */
export function decodeFinishedOffsets(commitOffset: number, metadata: string | null | undefined): Set<number> {
  const finished = new Set<number>();
  if (!metadata || !metadata.startsWith(prefix)) return finished;
  for (const range of metadata.slice(prefix.length).split(",")) {
    const [startText, lengthText] = range.split("+");
    const start = Number.parseInt(startText ?? "", 36);
    const extra = lengthText === undefined ? 0 : Number.parseInt(lengthText, 36);
    if (!Number.isFinite(start) || !Number.isFinite(extra) || start <= 0 || extra < 0) return new Set();
    for (let offset = start; offset <= start + extra; offset += 1) finished.add(commitOffset + offset);
  }
  return finished;
}

/**
 * When a partition moves in a rebalance, its earlier owner keeps sending what it had started
 * while the new owner refetches the same messages. The new owner learns what is settled from
 * the outcomes the earlier owner reports, which reach the database a moment after each request
 * ends. So a message that may be a redelivery waits until its partition has been owned for the
 * grace period before it reads the settled inboxes; messages past the committed offset, the
 * normal path, never wait.
 */
export class RedeliveryGrace {
  private readonly assignedAt = new Map<number, number>();

  constructor(
    private readonly graceMs: number,
    private readonly clock: () => number,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** The partition is ours from now (called again before its first message: keeps the first time). */
  assigned(partition: number): void {
    if (!this.assignedAt.has(partition)) this.assignedAt.set(partition, this.clock());
  }

  revoked(partition: number): void {
    this.assignedAt.delete(partition);
  }

  /** Resolves once the partition has been owned for the grace period. */
  async elapsed(partition: number): Promise<void> {
    const since = this.assignedAt.get(partition);
    if (since === undefined) return;
    const left = since + this.graceMs - this.clock();
    if (left > 0) await this.sleep(left);
  }
}

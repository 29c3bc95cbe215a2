import { describe, expect, it } from "vitest";
import { PartitionOffsets, decodeFinishedOffsets, encodeFinishedOffsets } from "../src/offset-tracker";

describe("PartitionOffsets", () => {
  it("commits only the contiguous finished prefix", () => {
    const offsets = new PartitionOffsets(10);
    for (const offset of [10, 11, 12, 13]) expect(offsets.receive(offset)).toBe(true);
    offsets.finish(12);
    offsets.finish(13);
    expect(offsets.commitOffset()).toBe(10);
    expect(offsets.finishedAbove()).toEqual([12, 13]);
    offsets.finish(10);
    expect(offsets.commitOffset()).toBe(11);
    offsets.finish(11);
    expect(offsets.commitOffset()).toBe(14);
    expect(offsets.unfinished).toBe(0);
  });

  it("skips gaps in the offsets it received (compaction, transaction markers)", () => {
    const offsets = new PartitionOffsets(0);
    offsets.receive(0);
    offsets.receive(5);
    offsets.finish(0);
    expect(offsets.commitOffset()).toBe(5);
    offsets.finish(5);
    expect(offsets.commitOffset()).toBe(6);
  });

  it("refuses offsets seen before, as after a rebalance refetch", () => {
    const offsets = new PartitionOffsets(0);
    offsets.receive(0);
    offsets.receive(1);
    expect(offsets.receive(1)).toBe(false);
    expect(offsets.receive(0)).toBe(false);
    expect(offsets.receive(2)).toBe(true);
  });

  it("stays compact over long runs", () => {
    const offsets = new PartitionOffsets(0);
    for (let i = 0; i < 100_000; i += 1) {
      offsets.receive(i);
      offsets.finish(i);
    }
    expect(offsets.commitOffset()).toBe(100_000);
  });
});

describe("finished-offsets metadata", () => {
  it("round-trips ranges", () => {
    const finished = [103, 104, 105, 109, 200];
    const metadata = encodeFinishedOffsets(100, finished);
    expect(metadata).toBe("ff1:3+2,9,2s");
    expect([...decodeFinishedOffsets(100, metadata)].sort((a, b) => a - b)).toEqual(finished);
  });

  it("drops the tail rather than exceed Kafka's metadata limit", () => {
    const finished = Array.from({ length: 5000 }, (_, i) => 1 + i * 2);
    const metadata = encodeFinishedOffsets(0, finished);
    expect(metadata.length).toBeLessThanOrEqual(4000);
    const decoded = decodeFinishedOffsets(0, metadata);
    expect(decoded.size).toBeGreaterThan(500);
    for (const offset of decoded) expect(finished).toContain(offset);
  });

  it("treats foreign or corrupt metadata as nothing finished", () => {
    expect(decodeFinishedOffsets(0, "")).toEqual(new Set());
    expect(decodeFinishedOffsets(0, "something else")).toEqual(new Set());
    expect(decodeFinishedOffsets(0, "ff1:zz+!")).toEqual(new Set());
  });
});

describe("PartitionOffsets.hasSeen", () => {
  it("tells a refetched offset from a new one, whatever the gaps", () => {
    const offsets = new PartitionOffsets(10);
    expect(offsets.hasSeen(9)).toBe(true);
    expect(offsets.hasSeen(10)).toBe(false);
    offsets.receive(10);
    offsets.receive(14);
    expect(offsets.hasSeen(12)).toBe(true);
    expect(offsets.hasSeen(14)).toBe(true);
    expect(offsets.hasSeen(15)).toBe(false);
  });
});

import { Partitioners } from "kafkajs";

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a keyed message lands in, computed by kafkajs's own default partitioner
 * (murmur2 of the key modulo the partition count, as the Java client does), so a process can
 * tell which keys belong to the partitions it owns.
 */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: "", partitionMetadata, message: { key, value: null } });
}

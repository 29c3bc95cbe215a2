// What services, tools and tests outside this package use; the consumers' inner parts
// (capacity, owned partitions, membership, offsets tracking, tracing) stay internal.
export { Kafka, createKafka, kafkaForService, consumerTiming, type ConsumerTiming, type KafkaOptions, type KafkaSettings } from "./client";
export { decodeValue, encodeValue, type ConsumedMessage } from "./codec";
export { TopicProducer } from "./producer";
export { ParallelConsumer } from "./parallel-consumer";
export type { ParallelConsumerOptions, PartitionProgress } from "./parallel-consumer-options";
export { BatchConsumer, type BatchConsumerOptions } from "./batch-consumer";
export { TopicView, type TopicViewOptions } from "./topic-view";
export { ConsumerLag, registerConsumerLagMetrics, type LaggingConsumer } from "./consumer-lag";
export { ensureTopics, TopicMismatch, type TopicLayout, type TopicsEnsured } from "./topic-admin";
export { partitionOf } from "./partition-of";
/** Reads a commit's finished-offsets metadata (the Kafka launcher's tests check what was committed). */
export { decodeFinishedOffsets } from "./offset-tracker";
export { kafkaSecurity, KafkaSecurityConfigError, type KafkaSecurity, type KafkaSecuritySettings } from "./security";
export { whileSettling } from "./cluster-settling";
export { classifyFailure, permanentReasons, PermanentFailure, type FailureKind, type PermanentReason } from "./failure-kind";
export { Quarantine, deadLetter, type DeadLetter, type DeadLetterStore, type QuarantineOptions } from "./quarantine";
export { DeadLetterTable, type SqlQueryable } from "./dead-letter-table";

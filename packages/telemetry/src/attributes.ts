/**
 * Attribute names: the OpenTelemetry semantic conventions' (messaging, server, error) and
 * FediFlow's domain attributes, under one `fediflow.` namespace.
 */
export const attributes = {
  messagingSystem: "messaging.system",
  messagingOperationType: "messaging.operation.type",
  messagingOperationName: "messaging.operation.name",
  messagingDestination: "messaging.destination.name",
  messagingPartition: "messaging.destination.partition.id",
  messagingConsumerGroup: "messaging.consumer.group.name",
  messagingBatchCount: "messaging.batch.message_count",
  messagingKafkaKey: "messaging.kafka.message.key",
  messagingKafkaOffset: "messaging.kafka.offset",
  serverAddress: "server.address",
  errorType: "error.type",
  activityId: "fediflow.activity.id",
  activityType: "fediflow.activity.type",
  inboxCount: "fediflow.inbox.count",
  hostCount: "fediflow.host.count",
  outcome: "fediflow.outcome",
  attempt: "fediflow.attempt",
} as const;

export * from "./topics";
export * from "./bounded-text";
export * from "./input-rules";
export * from "./inbox-outcomes";
export * as outboxRpc from "./gen/fediflow/v1/outbox";
export * as hostHealthRpc from "./gen/fediflow/v1/host_health";

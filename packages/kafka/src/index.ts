export * from "./client";
export * from "./codec";
export * from "./producer";
export * from "./offset-tracker";
export * from "./lanes";
export * from "./parallel-consumer";
export * from "./batch-consumer";
export * from "./topic-view";

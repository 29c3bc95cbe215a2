export * from "./service-process";
export { KafkaCluster, freePort, repositoryRoot } from "@fediflow/kafka-cluster";
export * from "./stack";
export * from "./process-stats";
export * from "./hpa";
export * from "./autoscaler";
export * from "./prometheus-text";

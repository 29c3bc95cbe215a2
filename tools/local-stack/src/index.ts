export * from "./broker";
export * from "./service-process";
export * from "./ports";
export * from "./stack";
export * from "./process-stats";
export * from "./hpa";
export * from "./autoscaler";
export * from "./prometheus-text";

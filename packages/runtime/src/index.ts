export * from "./ops-server";
export * from "./shutdown";
export * from "./metrics";
export { Registry, Counter, Gauge, Histogram, Summary } from "prom-client";
export * from "./rounds";
export * from "./lanes";

export * from "./cluster";
export * from "./jars";
export * from "./node-config";
export * from "./ports";
export * from "./test-cluster";

export * from "./test-stack";
export * from "./wait";
export * from "./kafka-topics";
export * from "./metrics";

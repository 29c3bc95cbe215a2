export * from "./test-stack";
export * from "./wait";
export * from "./outcomes";
export * from "./deliveries-received";

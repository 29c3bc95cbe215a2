export * from "./test-stack";
export * from "./wait";

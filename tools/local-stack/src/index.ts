export * from "./broker";
export * from "./service-process";
export * from "./ports";
export * from "./stack";

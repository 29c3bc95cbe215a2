export * from "./client";
export * from "./problem";
export * from "./retry";
export type * from "./types";

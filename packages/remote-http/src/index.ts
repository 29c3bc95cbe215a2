export * from "./address-guard";
export * from "./remote-agent";
export * from "./read-capped";
export type { Agent, Dispatcher } from "undici";
export * from "./user-agent";

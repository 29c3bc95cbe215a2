export * from "./pool";
export * from "./migrate";
export * from "./scratch-database";
export * from "./query-plans";

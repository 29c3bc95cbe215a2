export * from "./behaviour";
export * from "./fake-fediverse";

export * from "./behaviour";
export * from "./fake-fediverse";
export * from "./fetch-signature";

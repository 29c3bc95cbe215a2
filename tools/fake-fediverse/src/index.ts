export * from "./behaviour";
export * from "./fake-fediverse";
export * from "./fake-dns";
export * from "./fetch-signature";

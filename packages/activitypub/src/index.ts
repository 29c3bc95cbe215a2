export * from "./digest";
export * from "./cavage-signature";
export * from "./hosts";
export * from "./actor-keys";
export * from "./rfc9421-signature";
export * from "./key-encryption-keys";

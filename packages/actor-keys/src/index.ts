export * from "./signing-keys";

export * from "./coalesce";

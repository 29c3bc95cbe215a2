export * from "./server";
export * from "./client";
export * from "./errors";
export * from "./caller";
export * from "./storage-errors";
export * from "./tls";
export { status as GrpcStatus, Metadata } from "@grpc/grpc-js";

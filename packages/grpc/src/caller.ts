import { Metadata, type ServerUnaryCall } from "@grpc/grpc-js";

/**
 * Metadata key naming the application a call acts for. Ingress sets it from the caller's token;
 * without it the call is unrestricted (an admin or operator token, or another service).
 */
export const applicationKey = "fediflow-application";

/** Metadata for a call made on behalf of `application` (null: unrestricted). */
export function actingFor(application: string | null): Metadata {
  const metadata = new Metadata();
  if (application !== null) metadata.set(applicationKey, application);
  return metadata;
}

/** What a handler needs of a received call to know whom it acts for. */
export type Caller = Pick<ServerUnaryCall<unknown, unknown>, "metadata">;

/** The application a received call acts for, or null when it is unrestricted. */
export function applicationOf(call: Caller): string | null {
  const value = call.metadata.get(applicationKey)[0];
  return typeof value === "string" && value.length > 0 ? value : null;
}

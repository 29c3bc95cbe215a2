import { Metadata, status, type ServiceError } from "@grpc/grpc-js";

/** Metadata key carrying a machine-readable reason, so ingress can pick a precise problem type. */
export const problemKey = "fediflow-problem";

/** An error a handler throws on purpose: it reaches the caller with this status and detail. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly problem?: string,
    /** What went wrong underneath; logged by the server, never sent to the caller. */
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }

  toServiceError(): Partial<ServiceError> {
    const metadata = new Metadata();
    if (this.problem) metadata.set(problemKey, this.problem);
    return { code: this.code, details: this.message, metadata };
  }
}

export const invalidArgument = (message: string, problem?: string) => new RpcError(status.INVALID_ARGUMENT, message, problem);
export const notFound = (message: string, problem?: string) => new RpcError(status.NOT_FOUND, message, problem);
export const alreadyExists = (message: string, problem?: string) => new RpcError(status.ALREADY_EXISTS, message, problem);
export const failedPrecondition = (message: string, problem?: string) => new RpcError(status.FAILED_PRECONDITION, message, problem);
export const permissionDenied = (message: string, problem = "forbidden") => new RpcError(status.PERMISSION_DENIED, message, problem);
export const unavailable = (message: string, problem?: string, cause?: unknown) => new RpcError(status.UNAVAILABLE, message, problem, cause);

/** What a client sees when a call fails. */
export interface CallFailure {
  code: status;
  details: string;
  problem?: string;
}

export function isServiceError(error: unknown): error is ServiceError {
  return typeof error === "object" && error !== null && "code" in error && "metadata" in error;
}

export function describeFailure(error: unknown): CallFailure {
  if (isServiceError(error)) {
    const problem = error.metadata?.get(problemKey)[0];
    return { code: error.code, details: error.details, problem: typeof problem === "string" ? problem : undefined };
  }
  return { code: status.UNKNOWN, details: error instanceof Error ? error.message : String(error) };
}

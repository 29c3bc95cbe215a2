import type { ErrorRequestHandler, Response } from "express";
import { GrpcStatus, describeFailure, isServiceError } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";

/** An RFC 9457 problem; `type` is urn:fediflow:problem:<slug>, each slug listed in docs/api.md. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = "Problem";
  }
}

export function sendProblem(res: Response, problem: Problem): void {
  if (problem.status === 401) res.set("WWW-Authenticate", 'Bearer realm="fediflow"');
  res
    .status(problem.status)
    .type("application/problem+json")
    .send(
      JSON.stringify({
        type: `urn:fediflow:problem:${problem.slug}`,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        ...problem.extra,
      }),
    );
}

const titles: Record<string, [number, string]> = {
  "invalid-activity": [400, "Invalid activity"],
  "actor-mismatch": [400, "Actor mismatch"],
  "unregistered-actor": [400, "Unregistered actor"],
  "unusable-key": [400, "Unusable private key"],
  "idempotency-conflict": [409, "Idempotency key reused"],
  "unknown-activity": [404, "Unknown activity"],
  forbidden: [403, "Forbidden"],
  "activity-purged": [410, "Activity removed by retention"],
  "unknown-host": [404, "Unknown host"],
  "unknown-actor": [404, "Unknown actor"],
  "unknown-webhook": [404, "Unknown webhook"],
  "unknown-quarantined-message": [404, "Unknown quarantined message"],
  "unredrivable-message": [409, "Message cannot be redriven"],
  "storage-unavailable": [503, "Storage unavailable"],
};

/** Turns a failed gRPC call into the problem the API documents for it. */
export function problemFromRpc(error: unknown): Problem {
  const failure = describeFailure(error);
  const known = failure.problem ? titles[failure.problem] : undefined;
  if (known && failure.problem) return new Problem(known[0], failure.problem, known[1], failure.details);
  switch (failure.code) {
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.FAILED_PRECONDITION:
      return new Problem(400, "invalid-request", "Invalid request", failure.details);
    case GrpcStatus.PERMISSION_DENIED:
      return new Problem(403, "forbidden", "Forbidden", failure.details);
    case GrpcStatus.NOT_FOUND:
      return new Problem(404, "not-found", "Not found", failure.details);
    case GrpcStatus.ALREADY_EXISTS:
      return new Problem(409, "conflict", "Conflict", failure.details);
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new Problem(
        503,
        "service-unavailable",
        "Service unavailable",
        "a FediFlow service is unavailable; nothing was changed, try again",
      );
    default:
      return new Problem(500, "internal", "Internal error", "the request failed inside FediFlow");
  }
}

/** The last middleware: every error leaves as problem+json, never as an HTML page or a stack. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let problem: Problem;
    if (error instanceof Problem) problem = error;
    else if (isServiceError(error)) problem = problemFromRpc(error);
    else if (isBodyParserError(error) && error.type === "entity.too.large")
      problem = new Problem(413, "body-too-large", "Body too large", `the body exceeds ${error.limit} bytes`);
    else if (isBodyParserError(error) && error.type === "entity.parse.failed")
      problem = new Problem(400, "invalid-json", "Invalid JSON", "the body is not valid JSON");
    else if (isBodyParserError(error) && typeof error.status === "number" && error.status < 500)
      problem = new Problem(error.status, "invalid-body", "Invalid body", error.message);
    else if (isClientError(error))
      // The router's own refusals, such as a path segment that is not valid percent-encoding.
      problem = new Problem(error.status, "invalid-request", "Invalid request", "the request's path or query cannot be decoded");
    else problem = new Problem(500, "internal", "Internal error", "the request failed inside FediFlow");
    if (problem.status === 429 && !res.get("Retry-After")) res.set("Retry-After", "60");
    if (problem.status >= 500) logger.error({ err: error, method: req.method, path: req.path }, "request failed");
    sendProblem(res, problem);
  };
}

interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === "object" && error !== null && typeof (error as { type?: unknown }).type === "string";
}

function isClientError(error: unknown): error is { status: number } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

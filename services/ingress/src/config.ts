import { z } from "zod";
import { commonSettings, count, flag, grpcClientSettings, grpcTlsSettings, list, loadConfig, port } from "@fediflow/config";
import { parseApiToken, type ApiToken } from "./principal";

export const ingressSettings = z.object({
  FEDIFLOW_LOG_LEVEL: commonSettings.FEDIFLOW_LOG_LEVEL,
  FEDIFLOW_LISTEN_ADDRESS: commonSettings.FEDIFLOW_LISTEN_ADDRESS,
  FEDIFLOW_OPS_PORT: commonSettings.FEDIFLOW_OPS_PORT,
  ...grpcClientSettings,
  ...grpcTlsSettings,
  /**
   * Port of the public API, with /healthz and a bare /readyz (status only). /metrics and the
   * detailed /readyz are on FEDIFLOW_OPS_PORT, which the public never reaches.
   */
  FEDIFLOW_INGRESS_PORT: port(8080),
  /**
   * Comma-separated bearer tokens accepted on /v1/*, each with its scope: `app:NAME=TOKEN` for an
   * application, `operator=TOKEN` for an operator, a bare `TOKEN` for an admin. Required.
   */
  FEDIFLOW_API_TOKENS: list()
    .refine((tokens) => tokens.length > 0, "at least one token is required")
    .transform((entries, context): ApiToken[] => {
      const tokens: ApiToken[] = [];
      for (const [index, entry] of entries.entries()) {
        try {
          tokens.push(parseApiToken(entry));
        } catch (error) {
          context.addIssue({ code: "custom", message: `entry ${index + 1}: ${(error as Error).message}` });
        }
      }
      if (new Set(tokens.map(({ token }) => token)).size < tokens.length) {
        context.addIssue({ code: "custom", message: "a token appears twice: each token has one scope" });
      }
      return tokens;
    }),
  /** Largest accepted request body, bytes (1 MiB). */
  FEDIFLOW_MAX_BODY_BYTES: count(1024 * 1024),
  /** Deepest nesting of objects and arrays accepted in a body. */
  FEDIFLOW_MAX_JSON_DEPTH: count(32),
  /** Requests per token per minute, per ingress process; 0 for no limit. */
  FEDIFLOW_API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(6000),
  /** Largest accepted POST /v1/followers body, bytes (8 MiB): room for 10,000 entries of long URLs. */
  FEDIFLOW_MAX_FOLLOWERS_BODY_BYTES: count(8 * 1024 * 1024),
  /** Serve the operator console at /console (a static page; it signs in with one of the tokens). */
  FEDIFLOW_CONSOLE: flag(true),
});

export type IngressConfig = z.infer<typeof ingressSettings>;

export const loadIngressConfig = (env: NodeJS.ProcessEnv = process.env): IngressConfig => loadConfig(ingressSettings, env);

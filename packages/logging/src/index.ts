import pino, { type Logger } from "pino";

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const secretPaths = [
  "privateKeyPem",
  "*.privateKeyPem",
  "private_key_pem",
  "*.private_key_pem",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "signature",
  "*.signature",
  "token",
  "*.token",
];

/** One JSON logger per process, named after the service. */
export function createLogger(service: string, level: string = process.env.FEDIFLOW_LOG_LEVEL ?? "info"): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: secretPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

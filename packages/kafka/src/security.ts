import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type { SASLOptions } from "kafkajs";

/** How FediFlow authenticates to Kafka and protects the connection (FEDIFLOW_KAFKA_* settings). */
export interface KafkaSecuritySettings {
  FEDIFLOW_KAFKA_TLS: boolean;
  FEDIFLOW_KAFKA_TLS_CA_FILE?: string;
  FEDIFLOW_KAFKA_TLS_CERT_FILE?: string;
  FEDIFLOW_KAFKA_TLS_KEY_FILE?: string;
  FEDIFLOW_KAFKA_SASL_MECHANISM?: "scram-sha-512" | "scram-sha-256" | "plain";
  FEDIFLOW_KAFKA_SASL_USERNAME?: string;
  FEDIFLOW_KAFKA_SASL_PASSWORD?: string;
  FEDIFLOW_KAFKA_SASL_PASSWORD_FILE?: string;
}

export interface KafkaSecurity {
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

export class KafkaSecurityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KafkaSecurityConfigError";
  }
}

/**
 * kafkajs's `ssl` and `sasl` options from the settings, files read once at start (Kubernetes
 * mounts Secrets as files; a rotated certificate takes a restart). A CA or client certificate
 * turns TLS on; without a CA the system's trusted roots verify the brokers (managed Kafka).
 * SCRAM proves the password without sending it, so it may run over plaintext (Strimzi's
 * in-cluster SCRAM listener); PLAIN sends it as is, so PLAIN without TLS is refused.
 */
export function kafkaSecurity(
  settings: KafkaSecuritySettings,
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): KafkaSecurity {
  const security: KafkaSecurity = {};
  const { FEDIFLOW_KAFKA_TLS_CA_FILE: caFile, FEDIFLOW_KAFKA_TLS_CERT_FILE: certFile, FEDIFLOW_KAFKA_TLS_KEY_FILE: keyFile } = settings;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new KafkaSecurityConfigError(
      "a Kafka client certificate needs both FEDIFLOW_KAFKA_TLS_CERT_FILE and FEDIFLOW_KAFKA_TLS_KEY_FILE",
    );
  }
  if (settings.FEDIFLOW_KAFKA_TLS || caFile || certFile) {
    const options: ConnectionOptions = {};
    if (caFile) options.ca = [read(caFile)];
    if (certFile && keyFile) {
      options.cert = read(certFile);
      options.key = read(keyFile);
    }
    security.ssl = Object.keys(options).length > 0 ? options : true;
  }
  const mechanism = settings.FEDIFLOW_KAFKA_SASL_MECHANISM;
  if (mechanism) {
    const username = settings.FEDIFLOW_KAFKA_SASL_USERNAME;
    const password = settings.FEDIFLOW_KAFKA_SASL_PASSWORD_FILE
      ? read(settings.FEDIFLOW_KAFKA_SASL_PASSWORD_FILE).trim()
      : settings.FEDIFLOW_KAFKA_SASL_PASSWORD;
    if (!username || !password) {
      throw new KafkaSecurityConfigError(
        `FEDIFLOW_KAFKA_SASL_MECHANISM=${mechanism} needs FEDIFLOW_KAFKA_SASL_USERNAME and FEDIFLOW_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE)`,
      );
    }
    if (mechanism === "plain" && !security.ssl) {
      throw new KafkaSecurityConfigError(
        "SASL PLAIN would send the password in the clear: turn on TLS (FEDIFLOW_KAFKA_TLS=true or a CA file)",
      );
    }
    security.sasl = { mechanism, username, password };
  } else if (settings.FEDIFLOW_KAFKA_SASL_USERNAME) {
    throw new KafkaSecurityConfigError(
      "FEDIFLOW_KAFKA_SASL_USERNAME is set but FEDIFLOW_KAFKA_SASL_MECHANISM is not (scram-sha-512, scram-sha-256 or plain)",
    );
  }
  return security;
}

import { describe, expect, it } from "vitest";
import { KafkaSecurityConfigError, kafkaSecurity, type KafkaSecuritySettings } from "../src/security";

const files: Record<string, string> = { "/ca.crt": "CA", "/user.crt": "CERT", "/user.key": "KEY", "/password": "s3cret\n" };
const read = (file: string) => {
  const content = files[file];
  if (content === undefined) throw new Error(`no ${file}`);
  return content;
};
const settings = (overrides: Partial<KafkaSecuritySettings>): KafkaSecuritySettings => ({ FEDIFLOW_KAFKA_TLS: false, ...overrides });

describe("kafkaSecurity", () => {
  it("is plaintext without settings", () => {
    expect(kafkaSecurity(settings({}), read)).toEqual({});
  });

  it("verifies against the system roots, or a CA; presents a client certificate for mutual TLS", () => {
    expect(kafkaSecurity(settings({ FEDIFLOW_KAFKA_TLS: true }), read)).toEqual({ ssl: true });
    expect(kafkaSecurity(settings({ FEDIFLOW_KAFKA_TLS_CA_FILE: "/ca.crt" }), read)).toEqual({ ssl: { ca: ["CA"] } });
    expect(
      kafkaSecurity(
        settings({
          FEDIFLOW_KAFKA_TLS_CA_FILE: "/ca.crt",
          FEDIFLOW_KAFKA_TLS_CERT_FILE: "/user.crt",
          FEDIFLOW_KAFKA_TLS_KEY_FILE: "/user.key",
        }),
        read,
      ),
    ).toEqual({ ssl: { ca: ["CA"], cert: "CERT", key: "KEY" } });
    expect(() => kafkaSecurity(settings({ FEDIFLOW_KAFKA_TLS_CERT_FILE: "/user.crt" }), read)).toThrow(
      /both FEDIFLOW_KAFKA_TLS_CERT_FILE and/,
    );
  });

  it("authenticates with SCRAM (also over plaintext) or PLAIN (only over TLS), the password from a file", () => {
    expect(
      kafkaSecurity(
        settings({
          FEDIFLOW_KAFKA_SASL_MECHANISM: "scram-sha-512",
          FEDIFLOW_KAFKA_SASL_USERNAME: "fediflow",
          FEDIFLOW_KAFKA_SASL_PASSWORD_FILE: "/password",
        }),
        read,
      ),
    ).toEqual({ sasl: { mechanism: "scram-sha-512", username: "fediflow", password: "s3cret" } });
    expect(
      kafkaSecurity(
        settings({
          FEDIFLOW_KAFKA_TLS: true,
          FEDIFLOW_KAFKA_SASL_MECHANISM: "plain",
          FEDIFLOW_KAFKA_SASL_USERNAME: "key",
          FEDIFLOW_KAFKA_SASL_PASSWORD: "secret",
        }),
        read,
      ),
    ).toEqual({ ssl: true, sasl: { mechanism: "plain", username: "key", password: "secret" } });
    expect(() =>
      kafkaSecurity(
        settings({ FEDIFLOW_KAFKA_SASL_MECHANISM: "plain", FEDIFLOW_KAFKA_SASL_USERNAME: "key", FEDIFLOW_KAFKA_SASL_PASSWORD: "secret" }),
        read,
      ),
    ).toThrow(/PLAIN would send the password in the clear/);
    expect(() =>
      kafkaSecurity(settings({ FEDIFLOW_KAFKA_SASL_MECHANISM: "scram-sha-256", FEDIFLOW_KAFKA_SASL_USERNAME: "fediflow" }), read),
    ).toThrow(KafkaSecurityConfigError);
    expect(() => kafkaSecurity(settings({ FEDIFLOW_KAFKA_SASL_USERNAME: "fediflow" }), read)).toThrow(/MECHANISM is not/);
  });
});

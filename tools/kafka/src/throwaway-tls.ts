import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A certificate authority and a broker certificate for 127.0.0.1, made for one local cluster. */
export interface ThrowawayTls {
  /** PEM of the CA: what a client trusts (FEDIFLOW_KAFKA_TLS_CA_FILE). */
  caFile: string;
  /** The broker's PKCS#8 key and certificate chain in one PEM file (Kafka's PEM keystore). */
  keystorePem: string;
}

/** Creates them with openssl in `dir`; valid for two days, which outlives any test run. */
export async function throwawayTls(dir: string): Promise<ThrowawayTls> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => run("openssl", args, { cwd: dir });
  await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=FediFlow local Kafka CA"]);
  await openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr", "-subj", "/CN=127.0.0.1"]);
  await writeFile(file("broker.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(["x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "broker.crt", "-days", "2", "-extfile", "broker.ext"]);
  const parts = await Promise.all(["broker.key", "broker.crt", "ca.crt"].map((name) => readFile(file(name), "utf8")));
  await writeFile(file("broker-keystore.pem"), parts.join(""), { mode: 0o600 });
  return { caFile: file("ca.crt"), keystorePem: file("broker-keystore.pem") };
}

import { readFileSync } from "node:fs";
import { ServerCredentials, credentials, type ChannelCredentials } from "@grpc/grpc-js";

/** Files of the mutual-TLS identity every FediFlow gRPC server and client presents. */
export interface GrpcTlsFiles {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
}

export class GrpcTlsConfigError extends Error {}

/** Null when TLS is off; throws when only some of the three files are configured. */
function readTls(files: GrpcTlsFiles): { cert: Buffer; key: Buffer; ca: Buffer } | null {
  const set = [files.certFile, files.keyFile, files.caFile].filter(Boolean).length;
  if (set === 0) return null;
  if (set !== 3) {
    throw new GrpcTlsConfigError(
      "gRPC mutual TLS needs all of FEDIFLOW_GRPC_TLS_CERT_FILE, FEDIFLOW_GRPC_TLS_KEY_FILE and FEDIFLOW_GRPC_TLS_CA_FILE",
    );
  }
  return { cert: readFileSync(files.certFile!), key: readFileSync(files.keyFile!), ca: readFileSync(files.caFile!) };
}

/** Server credentials: plaintext, or TLS that requires a client certificate signed by the CA. */
export function serverCredentials(files: GrpcTlsFiles = {}): ServerCredentials {
  const tls = readTls(files);
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/** Client credentials: plaintext, or TLS presenting this service's certificate. */
export function channelCredentials(files: GrpcTlsFiles = {}): ChannelCredentials {
  const tls = readTls(files);
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.key, tls.cert);
}

import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from "node:crypto";

export type ActorKeyType = "rsa" | "ed25519";

/** A private key that cannot sign deliveries (wrong type, too short, unreadable). */
export class UnusableKey extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "UnusableKey";
  }
}

/** Reads a PEM private key and checks FediFlow can sign with it: RSA ≥ 2048 bits, or Ed25519. */
export function readPrivateKey(pem: string): { key: KeyObject; type: ActorKeyType } {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new UnusableKey("privateKeyPem is not a readable PEM private key");
  }
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new UnusableKey(`RSA keys need at least 2048 bits, this one has ${bits}`);
    return { key, type: "rsa" };
  }
  if (key.asymmetricKeyType === "ed25519") return { key, type: "ed25519" };
  throw new UnusableKey(`unsupported key type ${key.asymmetricKeyType ?? "unknown"}: use RSA or Ed25519`);
}

/** AES-256-GCM seal of a secret (a private key, a webhook secret): IV (12 bytes) | tag (16 bytes) | ciphertext. */
export function sealSecret(secret: string, keyEncryptionKey: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyEncryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function openSecret(sealed: Buffer, keyEncryptionKey: Buffer): string {
  const decipher = createDecipheriv("aes-256-gcm", keyEncryptionKey, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString("utf8");
}

export const sealPrivateKey = sealSecret;
export const openPrivateKey = openSecret;

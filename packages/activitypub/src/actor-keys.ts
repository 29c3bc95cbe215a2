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

/** AES-256-GCM seal of a secret (a webhook secret): IV (12 bytes) | tag (16 bytes) | ciphertext. */
export function sealSecret(secret: string, keyEncryptionKey: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyEncryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export const openSecret = (sealed: Buffer, keyEncryptionKey: Buffer): string => open(sealed, keyEncryptionKey, null);

/** Marks a seal bound to its actor (format 2); format 1 seals start straight with their IV. */
const boundSeal = Buffer.from("FFK2");

/**
 * AES-256-GCM seal of an actor's private key, bound to the actor: "FFK2" | IV (12 bytes) |
 * tag (16 bytes) | ciphertext, with the actor's id as additional authenticated data, so a
 * sealed key copied into another actor's row does not open there.
 */
export function sealPrivateKey(pem: string, keyEncryptionKey: Buffer, actorId: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyEncryptionKey, iv);
  cipher.setAAD(Buffer.from(actorId, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(pem, "utf8"), cipher.final()]);
  return Buffer.concat([boundSeal, iv, cipher.getAuthTag(), ciphertext]);
}

function open(sealed: Buffer, keyEncryptionKey: Buffer, aad: string | null): string {
  const decipher = createDecipheriv("aes-256-gcm", keyEncryptionKey, sealed.subarray(0, 12));
  if (aad !== null) decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString("utf8");
}

/**
 * Opens a seal of the actor's row. Seals written before keys were bound (IV first, no actor)
 * still open, as they were written; re-registering the key rewrites them bound.
 */
export function openPrivateKey(sealed: Buffer, keyEncryptionKey: Buffer, actorId: string): string {
  if (sealed.subarray(0, 4).equals(boundSeal)) {
    try {
      return open(sealed.subarray(4), keyEncryptionKey, actorId);
    } catch (error) {
      // One format-1 IV in 2^32 starts with the marker: such a seal is read the old way.
      try {
        return open(sealed, keyEncryptionKey, null);
      } catch {
        throw error;
      }
    }
  }
  return open(sealed, keyEncryptionKey, null);
}

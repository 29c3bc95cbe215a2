import { createCipheriv, createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  UnusableKey,
  UnusableUrl,
  cavageSignature,
  digestHeader,
  hostOf,
  openPrivateKey,
  parseSignatureHeader,
  readPrivateKey,
  sealPrivateKey,
  signedPostHeaders,
  signingString,
  verifyCavageSignature,
} from "../src";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

describe("draft-cavage signatures", () => {
  const body = JSON.stringify({ type: "Create", id: "https://a.example/1" });
  const headerValues = {
    host: "b.example",
    date: "Sun, 22 Nov 2026 10:00:00 GMT",
    digest: digestHeader(body),
    "content-type": "application/activity+json",
  };
  const request = { method: "POST", path: "/inbox", headerValues };

  it("builds the signing string Mastodon rebuilds", () => {
    expect(signingString({ ...request, headers: signedPostHeaders })).toBe(
      [
        "(request-target): post /inbox",
        "host: b.example",
        "date: Sun, 22 Nov 2026 10:00:00 GMT",
        `digest: SHA-256=${createHash("sha256").update(body).digest("base64")}`,
        "content-type: application/activity+json",
      ].join("\n"),
    );
  });

  it("signs so that the public key verifies, and a changed header does not", () => {
    const header = cavageSignature({ ...request, headers: signedPostHeaders }, "https://a.example/actor#main-key", privateKey);
    const parsed = parseSignatureHeader(header);
    expect(parsed.keyId).toBe("https://a.example/actor#main-key");
    expect(parsed.algorithm).toBe("rsa-sha256");
    expect(parsed.headers).toEqual([...signedPostHeaders]);
    expect(verifyCavageSignature(parsed, request, publicKey)).toBe(true);
    const tampered = { ...request, headerValues: { ...headerValues, digest: digestHeader("other") } };
    expect(verifyCavageSignature(parsed, tampered, publicKey)).toBe(false);
  });
});

describe("hosts", () => {
  it("keeps non-default ports, lower-cases and punycodes", () => {
    expect(hostOf("https://Mastodon.Social/inbox")).toBe("mastodon.social");
    expect(hostOf("http://127.0.0.1:8080/users/a/inbox")).toBe("127.0.0.1:8080");
    expect(hostOf("https://bücher.example/inbox")).toBe("xn--bcher-kva.example");
  });

  it("refuses what cannot be delivered to", () => {
    for (const bad of ["ftp://a.example/inbox", "https://user:pw@a.example/inbox", "not a url", "javascript:alert(1)"]) {
      expect(() => hostOf(bad)).toThrow(UnusableUrl);
    }
  });
});

describe("actor keys", () => {
  it("seals and opens with the key-encryption key only", () => {
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const kek = randomBytes(32);
    const alice = "https://local.example/users/alice";
    const sealed = sealPrivateKey(pem, kek, alice);
    expect(sealed.toString("latin1")).not.toContain("PRIVATE KEY");
    expect(openPrivateKey(sealed, kek, alice)).toBe(pem);
    expect(() => openPrivateKey(sealed, randomBytes(32), alice)).toThrow();
  });

  it("binds a seal to its actor: copied into another actor's row, it does not open", () => {
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const kek = randomBytes(32);
    const sealed = sealPrivateKey(pem, kek, "https://local.example/users/alice");
    expect(() => openPrivateKey(sealed, kek, "https://local.example/users/mallory")).toThrow();
  });

  it("still opens seals written before they were bound (IV, tag, ciphertext)", () => {
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const kek = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", kek, iv);
    const ciphertext = Buffer.concat([cipher.update(pem, "utf8"), cipher.final()]);
    const legacy = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
    expect(openPrivateKey(legacy, kek, "https://local.example/users/alice")).toBe(pem);
  });

  it("accepts RSA-2048 and Ed25519, refuses short RSA and garbage", () => {
    expect(readPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }).toString()).type).toBe("rsa");
    const ed = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(readPrivateKey(ed).type).toBe("ed25519");
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => readPrivateKey(short)).toThrow(UnusableKey);
    expect(() => readPrivateKey("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----")).toThrow(UnusableKey);
  });
});

describe("RFC 9421 signatures", () => {
  it("signs a POST that the public key verifies, with RSA and Ed25519, and detects tampering", async () => {
    const { rfc9421Headers, verifyRfc9421Signature, contentDigestHeader } = await import("../src");
    const ed = generateKeyPairSync("ed25519");
    for (const [priv, pub] of [
      [privateKey, publicKey],
      [ed.privateKey, ed.publicKey],
    ] as const) {
      const body = '{"type":"Create"}';
      const headers = { "content-type": "application/activity+json", "content-digest": contentDigestHeader(body), host: "b.example" };
      const request = { method: "POST", url: "https://b.example/inbox", headers };
      const signature = await rfc9421Headers(request, "https://a.example/actor#main-key", priv);
      expect(signature["signature-input"]).toContain('keyid="https://a.example/actor#main-key"');
      const signedRequest = { ...request, headers: { ...headers, ...signature } };
      expect(await verifyRfc9421Signature(signedRequest, pub)).toEqual({ valid: true, keyId: "https://a.example/actor#main-key" });
      const tampered = { ...signedRequest, headers: { ...signedRequest.headers, "content-digest": contentDigestHeader("other") } };
      expect((await verifyRfc9421Signature(tampered, pub)).valid).toBe(false);
    }
  });
});

import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyEncryptionKeys, NoKeyEncryptionKeyOpens, openPrivateKey } from "@fediflow/activitypub";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { ActorStore } from "../src/actor-store";
import { resealActorKeys } from "../src/reseal-keys";

let database: ScratchDatabase;
let pool: Pool;
const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const pem = (name: string) => ({
  name,
  id: `https://local.example/users/${name}`,
  pem: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
});
const sealedBefore = pem("before"); // registered before the rotation began
const sealedDuring = pem("during"); // registered by an outbox already on the new key

const sealedOf = async (id: string): Promise<Buffer> =>
  (await pool.query<{ private_key_sealed: Buffer }>("SELECT private_key_sealed FROM actors WHERE id = $1", [id])).rows[0]!
    .private_key_sealed;
// Sealed keys are bound to their actor (AES-GCM additional data).
const opens = (keys: KeyEncryptionKeys, sealed: Buffer, actorId = "") => keys.open((kek) => openPrivateKey(sealed, kek, actorId));

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "reseal-test" });
  await new ActorStore(pool, oldKey).registerActor(sealedBefore.id, `${sealedBefore.id}#key`, sealedBefore.pem);
  await new ActorStore(pool, newKey).registerActor(sealedDuring.id, `${sealedDuring.id}#key`, sealedDuring.pem);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("rotating the key-encryption key", () => {
  it("opens keys sealed under either key while both are configured, the new one first", async () => {
    const rotating = new KeyEncryptionKeys(newKey, [oldKey]);
    expect(opens(rotating, await sealedOf(sealedBefore.id), sealedBefore.id)).toEqual({ value: sealedBefore.pem, underCurrent: false });
    expect(opens(rotating, await sealedOf(sealedDuring.id), sealedDuring.id)).toEqual({ value: sealedDuring.pem, underCurrent: true });
    expect(() => opens(new KeyEncryptionKeys(newKey), Buffer.alloc(0))).toThrow(NoKeyEncryptionKeyOpens);
  });

  it("re-seals what is under the previous key, so the new key alone opens everything", async () => {
    const rotating = new KeyEncryptionKeys(newKey, [oldKey]);
    const newOnly = new KeyEncryptionKeys(newKey);
    expect(() => opens(newOnly, Buffer.alloc(0))).toThrow(/neither FEDIFLOW_KEY_ENCRYPTION_KEY nor/);
    await expect(sealedOf(sealedBefore.id).then((sealed) => opens(newOnly, sealed, sealedBefore.id))).rejects.toThrow(NoKeyEncryptionKeyOpens);

    expect(await resealActorKeys(pool, rotating, 1)).toEqual({ resealed: 1, alreadyCurrent: 1, changedMeanwhile: 0, unreadable: [] });
    expect(opens(newOnly, await sealedOf(sealedBefore.id), sealedBefore.id)).toEqual({ value: sealedBefore.pem, underCurrent: true });
    expect(opens(newOnly, await sealedOf(sealedDuring.id), sealedDuring.id).value).toBe(sealedDuring.pem);
    // Running it again finds nothing left to do.
    expect(await resealActorKeys(pool, rotating)).toEqual({ resealed: 0, alreadyCurrent: 2, changedMeanwhile: 0, unreadable: [] });
  });

  it("as `fediflow reseal-keys`: reads the settings, reports, and fails on a key it cannot open", async () => {
    const stranger = pem("stranger");
    await new ActorStore(pool, randomBytes(32)).registerActor(stranger.id, `${stranger.id}#key`, stranger.pem);
    const cli = path.join(__dirname, "..", "dist", "reseal-keys-cli.js");
    const run = promisify(execFile)(process.execPath, [cli], {
      env: {
        FEDIFLOW_DATABASE_URL: database.url,
        FEDIFLOW_KEY_ENCRYPTION_KEY: newKey.toString("base64"),
        FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS: oldKey.toString("base64"),
      },
    });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stdout: "resealed 0, already under the current key 2, re-registered meanwhile 0, unreadable 1\n",
      stderr: `no configured key-encryption key opens the keys of: ${stranger.id}\n`,
    });
  });
});

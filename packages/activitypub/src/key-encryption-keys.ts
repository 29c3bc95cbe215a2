/** Opening a sealed key failed under every key-encryption key this process was given. */
export class NoKeyEncryptionKeyOpens extends Error {
  constructor(tried: number) {
    super(
      `no key-encryption key opens this sealed key (tried ${tried}): it was sealed under a key that is neither ` +
        "FEDIFLOW_KEY_ENCRYPTION_KEY nor in FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS",
    );
    this.name = "NoKeyEncryptionKeyOpens";
  }
}

/**
 * The key-encryption keys of a process: `current` seals, every one of them opens. While a key is
 * rotated the old one stays among `previous`, so keys sealed under either are readable until
 * `fediflow reseal-keys` has moved them all to the new one.
 *
 * Which key sealed a value is not stored: AES-GCM's authentication tag refuses every other key,
 * so trying the current key first and then the previous ones finds it without a schema or format
 * change, at the cost of one failed attempt per rotation still in progress.
 */
export class KeyEncryptionKeys {
  readonly all: readonly Buffer[];

  constructor(
    readonly current: Buffer,
    readonly previous: readonly Buffer[] = [],
  ) {
    this.all = [current, ...previous];
  }

  /** From the settings' base64 strings: FEDIFLOW_KEY_ENCRYPTION_KEY and FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS. */
  static fromBase64(current: string, previous: readonly string[] = []): KeyEncryptionKeys {
    return new KeyEncryptionKeys(
      Buffer.from(current, "base64"),
      previous.map((key) => Buffer.from(key, "base64")),
    );
  }

  /**
   * Runs `open` with each key, current first, and returns the first result with whether the
   * current key was the one (false: the value wants re-sealing).
   */
  open<T>(open: (keyEncryptionKey: Buffer) => T): { value: T; underCurrent: boolean } {
    for (const [index, key] of this.all.entries()) {
      try {
        return { value: open(key), underCurrent: index === 0 };
      } catch {
        // the tag did not authenticate under this key: try the next one
      }
    }
    throw new NoKeyEncryptionKeyOpens(this.all.length);
  }
}

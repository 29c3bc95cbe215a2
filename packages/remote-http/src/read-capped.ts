import type { Readable } from "node:stream";

/**
 * Reads at most maxBytes of a response body and abandons the rest, so a huge or endless
 * answer costs a bounded amount of memory. Returns what was read and whether it was cut.
 */
export async function readCapped(
  body: Readable & { destroy(error?: Error): void },
  maxBytes: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > maxBytes) {
      chunks.push(buffer.subarray(0, maxBytes - size));
      size = maxBytes;
      body.destroy();
      return { bytes: Buffer.concat(chunks, size), truncated: true };
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  return { bytes: Buffer.concat(chunks, size), truncated: false };
}

/** Reads and throws away at most maxBytes, so the connection can be reused when it is small. */
export async function discardCapped(body: Readable & { destroy(error?: Error): void }, maxBytes: number): Promise<void> {
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      return;
    }
  }
}

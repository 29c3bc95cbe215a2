/**
 * Longest outcome reason kept, in UTF-8 bytes. A reason can quote what a remote server sent
 * (a redirect's Location, an actor document's id); a report lists up to hundreds of inboxes
 * and must stay far below Kafka's 1 MB message limit whatever those servers send.
 */
export const maxReasonBytes = 300;

const encoder = new TextEncoder();

/**
 * The text cut to at most `maxBytes` UTF-8 bytes, on a character boundary, with "…" marking
 * the cut (counted in the budget).
 */
export function boundedText(text: string, maxBytes: number = maxReasonBytes): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  const marker = "…";
  // encodeInto writes whole characters only, so `read` never splits a surrogate pair.
  const { read } = encoder.encodeInto(text, new Uint8Array(Math.max(0, maxBytes - Buffer.byteLength(marker))));
  return `${text.slice(0, read)}${marker}`;
}

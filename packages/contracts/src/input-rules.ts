import { z } from "zod";
import { parseRemoteUrl } from "@fediflow/activitypub";

/**
 * Rules every service applies to what an application sends, at ingress over HTTP and again at
 * outbox over gRPC, so both refuse the same things with the same words.
 */

/** Entries (followers added plus removed, or audience actors, or audience inboxes) in one request. */
export const maxFollowerEntries = 10_000;

const loneSurrogate = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";
/** U+0000 and lone surrogates: PostgreSQL stores neither in text or jsonb. */
const unstorable = new RegExp(`\\u0000|${loneSurrogate}`);
/** C0 controls and DEL as well: no name, key id or URL holds them (a line feed in a key id breaks the Signature header). */
const controlOrUnstorable = new RegExp(`[\\u0000-\\u001f\\u007f]|${loneSurrogate}`);

/** True when the text holds a C0 control character, DEL or a lone surrogate. */
export const hasControlCharacters = (text: string): boolean => controlOrUnstorable.test(text);

const escapePointer = (segment: string): string => segment.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * Where the first string (or member name) that PostgreSQL cannot store sits in a JSON value, as
 * a JSON pointer (RFC 6901): one holding U+0000 or a lone surrogate. Null when there is none.
 * Free text (a note's content) may hold line feeds and tabs; it may not hold these.
 */
export function unstorableTextAt(value: unknown): string | null {
  const stack: Array<{ value: unknown; pointer: string }> = [{ value, pointer: "" }];
  while (stack.length > 0) {
    const { value: current, pointer } = stack.pop()!;
    if (typeof current === "string") {
      if (unstorable.test(current)) return pointer || "/";
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], pointer: `${pointer}/${i}` });
    } else if (current !== null && typeof current === "object") {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i]!;
        const at = `${pointer}/${escapePointer(key)}`;
        if (unstorable.test(key)) return at;
        stack.push({ value: member, pointer: at });
      }
    }
  }
  return null;
}

const noControls = "must not contain control characters or lone surrogates";

/** A name or key of at most `max` characters, without control characters or lone surrogates. */
export const cleanText = (max: number) => z.string().min(1).max(max).refine((text) => !hasControlCharacters(text), noControls);

const usableUrl = (value: string): boolean => {
  try {
    parseRemoteUrl(value);
    return true;
  } catch {
    return false;
  }
};

/**
 * An http(s) IRI without credentials or control characters, checked but kept as written: for
 * values inside the activity, which goes out unchanged.
 */
export const checkedIri = z
  .string()
  .max(2048, "is longer than 2048 characters")
  .refine((value) => !hasControlCharacters(value), noControls)
  .refine(usableUrl, "must be an http(s) URL without credentials");

/** The one form FediFlow stores and compares an IRI in: what the URL parser made of it (ASCII host, lower case). */
export const normalIri = (value: string): string => parseRemoteUrl(value).href;

/** An IRI as FediFlow stores it: checked, then normalised, so the value checked is the value kept. */
export const iri = checkedIri.transform(normalIri);

import { LRUCache } from "lru-cache";

export type SignatureScheme = "draft-cavage" | "rfc9421";

/**
 * Which signature scheme each host accepts. Hosts start with the configured default (or RFC
 * 9421 when listed); when a host refuses one scheme with 400/401 and accepts the other, the
 * working one is remembered for that host, in this process.
 */
export class SignatureSchemes {
  private readonly learned = new LRUCache<string, SignatureScheme>({ max: 200_000 });

  constructor(
    private readonly preferred: SignatureScheme,
    private readonly rfc9421Hosts: ReadonlySet<string>,
  ) {}

  forHost(host: string): SignatureScheme {
    return this.learned.get(host) ?? (this.rfc9421Hosts.has(host) ? "rfc9421" : this.preferred);
  }

  remember(host: string, scheme: SignatureScheme): void {
    this.learned.set(host, scheme);
  }
}

export const otherScheme = (scheme: SignatureScheme): SignatureScheme => (scheme === "rfc9421" ? "draft-cavage" : "rfc9421");

/** Only a refusal of the signature itself is worth a second knock; 404/410/5xx say nothing about it. */
export const refusedSignature = (status: number): boolean => status === 400 || status === 401;

/** Why a URL given by an application cannot be delivered to. */
export class UnusableUrl extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`${reason}: ${url}`);
    this.name = "UnusableUrl";
  }
}

/**
 * Parses an inbox or actor URL the way FediFlow will use it: http(s) only, no credentials,
 * host lower-cased and IDN hosts in their ASCII (punycode) form.
 */
export function parseRemoteUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UnusableUrl(value, "not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UnusableUrl(value, "not an http(s) URL");
  if (url.username || url.password) throw new UnusableUrl(value, "URL carries credentials");
  if (!url.hostname) throw new UnusableUrl(value, "URL has no host");
  return url;
}

/**
 * The destination host of a URL: lower-case name (punycode for IDN) plus the port when it is
 * not the scheme's default. One host is one lane, one breaker and one connection pool.
 */
export function hostOf(value: string): string {
  return parseRemoteUrl(value).host;
}

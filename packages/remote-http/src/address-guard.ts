import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** A destination FediFlow refuses to contact: it would reach inside the operator's network. */
export class ForbiddenDestination extends Error {
  readonly code = "EFORBIDDEN_DESTINATION";
  constructor(
    readonly host: string,
    readonly address: string,
    range: string,
  ) {
    super(`${host} resolves to ${address} (${range}), which deliveries may not reach`);
    this.name = "ForbiddenDestination";
  }
}

/** Cloud instance-metadata endpoints that are not in a private range. */
const metadataAddresses = new Set(["100.100.100.200", "fd00:ec2::254"]);

/**
 * The range an address falls in when it is not public: loopback, private, link-local (which
 * holds 169.254.169.254, the metadata service of most clouds), CGNAT, multicast, unspecified,
 * unique-local, reserved and the like. Null for a public unicast address.
 */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return "invalid";
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (metadataAddresses.has(parsed.toString())) return "metadata";
  const range = parsed.range();
  return range === "unicast" ? null : range;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

type Resolve = (
  hostname: string,
  family: number,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS). */
const systemResolve: Resolve = (hostname, family, callback) => dnsLookup(hostname, { all: true, family }, callback);

/**
 * Dedicated DNS servers (host:port) instead of the system resolver, e.g. a caching resolver for
 * outgoing federation. Answers A and AAAA; no answer at all is ENOTFOUND.
 */
export function dnsServersResolve(servers: string[]): Resolve {
  const resolver = new dnsPromises.Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers(servers);
  return (hostname, family, callback) => {
    const v4 = family === 6 ? Promise.resolve([]) : resolver.resolve4(hostname).catch(() => [] as string[]);
    const v6 = family === 4 ? Promise.resolve([]) : resolver.resolve6(hostname).catch(() => [] as string[]);
    Promise.all([v4, v6]).then(
      ([a, aaaa]) => {
        const addresses = [...a.map((address) => ({ address, family: 4 })), ...aaaa.map((address) => ({ address, family: 6 }))];
        if (addresses.length > 0) return callback(null, addresses);
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }), []);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

/**
 * A dns.lookup replacement for net.connect: resolves, drops forbidden addresses and hands
 * net.connect only what was checked, so there is no window between check and connect for a
 * DNS answer to change (rebinding).
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolve = systemResolve) {
  return (hostname: string, options: { all?: boolean; family?: number | string } | number, callback: LookupCallback): void => {
    const opts = typeof options === "number" ? { family: options } : options;
    resolve(hostname, typeof opts.family === "number" ? opts.family : 0, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => forbiddenRange(a.address) === null);
      if (allowed.length === 0) {
        const first = addresses[0];
        return callback(
          new ForbiddenDestination(hostname, first?.address ?? "?", first ? (forbiddenRange(first.address) ?? "?") : "?"),
          [],
        );
      }
      if (opts.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** For IP literals, which net.connect never passes to lookup. */
export function checkLiteralAddress(host: string, allowPrivate: boolean): void {
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (allowPrivate || isIP(bare) === 0) return;
  const range = forbiddenRange(bare);
  if (range) throw new ForbiddenDestination(host, bare, range);
}

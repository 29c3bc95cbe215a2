import { describe, expect, it } from "vitest";
import { ForbiddenDestination, checkLiteralAddress, forbiddenRange, guardedLookup } from "../src";

describe("forbiddenRange", () => {
  it("refuses loopback, private, link-local, CGNAT, multicast and metadata addresses", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "224.0.0.1",
      "0.0.0.0",
      "::1",
      "fc00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "100.100.100.200",
    ]) {
      expect(forbiddenRange(address), address).not.toBeNull();
    }
  });

  it("allows public unicast", () => {
    expect(forbiddenRange("93.184.216.34")).toBeNull();
    expect(forbiddenRange("2606:2800:220:1:248:1893:25c8:1946")).toBeNull();
  });
});

describe("guardedLookup", () => {
  const lookup = (host: string, allow: boolean) =>
    new Promise<string>((resolve, reject) =>
      guardedLookup(allow)(host, {}, (error, address) => (error ? reject(error) : resolve(address as string))),
    );

  it("refuses a name that resolves to loopback unless private networks are allowed", async () => {
    await expect(lookup("localhost", false)).rejects.toBeInstanceOf(ForbiddenDestination);
    expect(await lookup("localhost", true)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it("checks IP literals, which never reach the resolver", () => {
    expect(() => checkLiteralAddress("127.0.0.1", false)).toThrow(ForbiddenDestination);
    expect(() => checkLiteralAddress("[::1]", false)).toThrow(ForbiddenDestination);
    expect(() => checkLiteralAddress("127.0.0.1", true)).not.toThrow();
    expect(() => checkLiteralAddress("example.com", false)).not.toThrow();
  });
});

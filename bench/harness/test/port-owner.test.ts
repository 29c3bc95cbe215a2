import { describe, expect, it } from "vitest";
import { listeningInodes } from "../src/port-owner";

describe("listeningInodes", () => {
  const table = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31337 1 0000000000000000 100 0 0 10 0",
    "   1: 0100007F:18EB 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 20 4 30 10 -1",
    "   2: 0100007F:4AA4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40404 1 0000000000000000 100 0 0 10 0",
  ].join("\n");

  it("finds the listening socket of a port (6379 = 0x18EB), not its established connections", () => {
    expect(listeningInodes(table, 6379)).toEqual(["31337"]);
    expect(listeningInodes(table, 19108)).toEqual(["40404"]);
    expect(listeningInodes(table, 5432)).toEqual([]);
  });
});

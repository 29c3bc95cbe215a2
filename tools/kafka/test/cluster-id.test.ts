import { expect, it } from "vitest";
import { clusterId } from "../src/cluster";

it("never gives kafka-storage a cluster id that starts with '-' (it would read it as an option)", () => {
  // 0xf8 as the first byte is "-" in base64url; the second draw starts with "A".
  const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0)];
  const id = clusterId(() => draws.shift()!);
  expect(id).toBe(Buffer.alloc(16, 0).toString("base64url"));
  expect(Buffer.alloc(16, 0xf8).toString("base64url").startsWith("-")).toBe(true);
  for (let i = 0; i < 1_000; i += 1) expect(clusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
});

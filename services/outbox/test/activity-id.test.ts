import { describe, expect, it } from "vitest";
import { v7 } from "uuid";
import { mintedAt } from "../src/activity-id";

describe("mintedAt", () => {
  it("reads the time out of a UUIDv7, and nothing out of other ids", () => {
    const before = Date.now();
    const at = mintedAt(v7());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(mintedAt("6f1c1f2e-8a4b-4c1d-9e2f-0a1b2c3d4e5f")).toBeNull();
    expect(mintedAt("not an id")).toBeNull();
  });
});

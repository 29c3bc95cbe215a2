import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..", "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("README configuration table", () => {
  it("lists every FEDIFLOW_ variable a service reads", () => {
    const sources = [
      "packages/config/src/settings.ts",
      ...readdirSync(path.join(root, "services")).map((service) => `services/${service}/src/config.ts`),
    ];
    const names = new Set(sources.flatMap((file) => read(file).match(/FEDIFLOW_[A-Z0-9_]+/g) ?? []));
    const table = read("README.md");
    const missing = [...names].filter((name) => !table.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
  });
});

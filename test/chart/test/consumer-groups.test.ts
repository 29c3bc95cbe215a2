import { readFile } from "node:fs/promises";
import path from "node:path";
import { consumerGroups, topics } from "@fediflow/contracts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartDir } from "../src/paths";

interface CatalogEntry {
  name: string;
  consumes?: { topic: string; group: string };
}

/** The chart's catalog of services (templates/_catalog.tpl), read as the YAML it is. */
async function catalog(): Promise<Record<string, CatalogEntry>> {
  const template = await readFile(path.join(chartDir, "templates", "_catalog.tpl"), "utf8");
  const body = /\{\{- define "fediflow\.catalog" -\}\}\n([\s\S]*?)\{\{- end -\}\}/.exec(template)?.[1];
  if (!body) throw new Error("templates/_catalog.tpl defines no fediflow.catalog");
  return parse(body) as Record<string, CatalogEntry>;
}

describe("the chart's catalog follows packages/contracts", () => {
  it("names each consumed topic and consumer group as the contracts do", async () => {
    const consuming = Object.entries(await catalog()).filter(([, entry]) => entry.consumes);
    expect(consuming.length).toBeGreaterThan(0);
    for (const [key, entry] of consuming) {
      expect(Object.keys(topics), key).toContain(entry.consumes!.topic);
      expect(entry.consumes!.group, key).toBe(consumerGroups[key as keyof typeof consumerGroups]);
    }
  });
});

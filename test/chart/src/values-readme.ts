import { isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from "yaml";

/** One documented value: its dotted path, type, default and the comment above it. */
export interface ValueRow {
  key: string;
  type: string;
  default: string;
  description: string;
}

// Only the paragraph right above a key describes it (the file's own header sits above the first).
const describe = (comment: string | null | undefined): string =>
  ((comment ?? "").split(/\n\s*\n/).at(-1) ?? "")
    .split("\n")
    .map((line) => line.trim().replace(/^-- ?/, ""))
    .filter((line) => line.length > 0)
    .join(" ");

function typeOf(node: Node | null): string {
  if (isMap(node)) return "object";
  if (isSeq(node)) return "list";
  if (isScalar(node)) return node.value === null ? "null" : typeof node.value === "string" ? "string" : typeof node.value;
  return "null";
}

function rows(map: YAMLMap, prefix: string, out: ValueRow[]): void {
  for (const [index, pair] of map.items.entries()) {
    const keyNode = pair.key as Node;
    const key = `${prefix}${String(isScalar(keyNode) ? keyNode.value : keyNode)}`;
    const value = pair.value as Node | null;
    // The parser hangs the comment above a map's first key on the map itself.
    const description = describe(keyNode.commentBefore ?? (index === 0 ? map.commentBefore : undefined));
    if (isMap(value) && value.items.length > 0) {
      // A section: its comment heads its keys; the keys themselves carry the defaults.
      if (description) out.push({ key, type: "object", default: "", description });
      rows(value, `${key}.`, out);
    } else {
      out.push({ key, type: typeOf(value), default: JSON.stringify(value?.toJSON() ?? null), description });
    }
  }
}

/** Every value of values.yaml, in file order, with the comment written above it. */
export function valueRows(valuesYaml: string): ValueRow[] {
  const document = parseDocument(valuesYaml);
  const out: ValueRow[] = [];
  if (isMap(document.contents)) rows(document.contents, "", out);
  return out;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** charts/fediflow/README.md: what the chart is, then the values table generated from values.yaml. */
export function chartReadme(valuesYaml: string, intro: string): string {
  const table = valueRows(valuesYaml).map(
    (row) => `| \`${cell(row.key)}\` | ${row.type} | ${row.default ? `\`${cell(row.default)}\`` : ""} | ${cell(row.description)} |`,
  );
  return [
    intro.trimEnd(),
    "",
    "## Values",
    "",
    "Generated from `values.yaml` and its comments (`pnpm --filter @fediflow/chart-tests readme`); a chart test fails when",
    "this table and `values.yaml` disagree. `values.schema.json` checks every key.",
    "",
    "| key | type | default | description |",
    "| --- | --- | --- | --- |",
    ...table,
    "",
  ].join("\n");
}

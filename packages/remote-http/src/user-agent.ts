import { readFileSync } from "node:fs";
import path from "node:path";

const version = (JSON.parse(readFileSync(path.resolve(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;

/** `FediFlow/<version> (+<instance URL>)`, so remote admins can tell who is calling and why. */
export function userAgent(instanceUrl?: string): string {
  return instanceUrl ? `FediFlow/${version} (+${instanceUrl})` : `FediFlow/${version}`;
}

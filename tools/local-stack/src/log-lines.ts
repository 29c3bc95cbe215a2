import { prettyFactory } from "pino-pretty";

const colours = ["\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[32m", "\x1b[34m", "\x1b[31m"];

/** Prints service log lines readably, prefixed by process name: "[delivery-2] 12:00:01 INFO ...". */
export function prefixedLogPrinter(stream: NodeJS.WritableStream = process.stdout): (name: string, line: string) => void {
  const colour = (stream as { isTTY?: boolean }).isTTY === true;
  const pretty = prettyFactory({ colorize: colour, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service,name", singleLine: true });
  const assigned = new Map<string, string>();
  return (name, line) => {
    if (colour && !assigned.has(name)) assigned.set(name, colours[assigned.size % colours.length]!);
    const prefix = colour ? `${assigned.get(name)}[${name}]\x1b[0m` : `[${name}]`;
    let text = line;
    if (line.startsWith("{")) {
      try {
        text = pretty(JSON.parse(line)).trimEnd();
      } catch {
        // not JSON after all: print as is
      }
    }
    stream.write(`${prefix} ${text}\n`);
  };
}

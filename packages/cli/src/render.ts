import type { Attempt, Host, ParkedDelivery, QuarantinedMessage } from "@fediflow/client";

/** Columns padded to their widest cell; the last column is left ragged. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

const when = (time: string | undefined) => time ?? "-";

export function hostsTable(hosts: Host[]): string {
  if (hosts.length === 0) return "no hosts\n";
  return table(
    ["HOST", "STATE", "FAILURES", "LAST SUCCESS", "NEXT PROBE"],
    hosts.map((host) => [host.host, host.state, String(host.failures), when(host.lastSuccessAt), when(host.nextProbeAt)]),
  );
}

/** One host: its state, its recent attempts and the first page of what is parked for it. */
export function hostReport(host: Host, attempts: Attempt[], parked: { items: ParkedDelivery[]; next: string | null }): string {
  let text = table(
    ["HOST", "STATE", "FAILURES", "FIRST FAILURE", "LAST SUCCESS", "NEXT PROBE"],
    [[host.host, host.state, String(host.failures), when(host.firstFailureAt), when(host.lastSuccessAt), when(host.nextProbeAt)]],
  );
  text += `\nrecent attempts (${attempts.length}):\n`;
  text += attempts.length
    ? table(
        ["AT", "OUTCOME", "STATUS", "MS", "ACTIVITY", "INBOX", "REASON"],
        attempts.map((a) => [
          a.at,
          a.outcome,
          a.status === undefined ? "-" : String(a.status),
          String(a.durationMs),
          a.activityId,
          a.inbox,
          a.reason ?? "",
        ]),
      )
    : "none\n";
  text += `\nparked (${parked.items.length}${parked.next ? "+" : ""}):\n`;
  text += parked.items.length
    ? table(
        ["PARKED AT", "ACTIVITY", "INBOX"],
        parked.items.map((p) => [p.parkedAt, p.activityId, p.inbox]),
      )
    : "none\n";
  return text;
}

/** Quarantined messages, oldest first, with the error cut to one short line. */
export function quarantineTable(messages: QuarantinedMessage[], next: string | null): string {
  if (messages.length === 0) return "nothing quarantined\n";
  const short = (error: string) => {
    const line = error.replace(/\s+/g, " ");
    return line.length > 80 ? `${line.slice(0, 79)}…` : line;
  };
  return (
    table(
      ["ID", "KEPT AT", "TOPIC", "GROUP", "REASON", "REDRIVEN", "ERROR"],
      messages.map((m) => [m.id, m.quarantinedAt, m.topic, m.group, m.reason, when(m.redrivenAt), short(m.error)]),
    ) + (next ? `(more: --cursor ${next})\n` : "")
  );
}

#!/usr/bin/env node
// `fediflow status|hosts|host|redrive|block|unblock|quarantine`: an operator's view of FediFlow through its
// public API (FEDIFLOW_URL, FEDIFLOW_TOKEN); `migrate` and `topics` run the same tools the image does.
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Command as Program, InvalidArgumentError, Option } from "commander";
import { FediFlowClient } from "@fediflow/client";
import * as commands from "./commands";
import { CliFailure, oneLine } from "./failure";
import { cliSettings } from "./settings";

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("a positive whole number");
  return parsed;
}

/** What every API command needs, read when it runs so --help works without settings. */
function command(program: Program): commands.Command {
  const settings = cliSettings(process.env);
  return {
    client: new FediFlowClient({ baseUrl: settings.url, token: settings.token }),
    out: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    json: program.opts<{ json?: boolean }>().json === true,
    sleep: (ms) => sleep(ms),
  };
}

/** Runs a tool of another package (migrations, topics) as its own process, passing its exit code on. */
function runTool(modulePath: string, args: string[]): never {
  const result = spawnSync(process.execPath, [require.resolve(modulePath), ...args], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}

const program = new Program("fediflow")
  .description("Operate FediFlow over its public API (FEDIFLOW_URL, FEDIFLOW_TOKEN)")
  .option("--json", "print one JSON document, for scripts");

program
  .command("status")
  .description("an activity's progress, as a bar redrawn until it is done")
  .argument("<id>", "the activity id POST /v1/activities answered")
  .option("--no-wait", "print the current progress once")
  .addOption(new Option("--interval-ms <ms>", "how often to ask").argParser(count).default(500))
  .action(async (id: string, options: { wait: boolean; intervalMs: number }) => {
    await commands.status(command(program), id, options);
  });

program
  .command("hosts")
  .description("remote servers FediFlow knows, by state")
  .addOption(new Option("--state <state>", "only hosts in this state").choices(["healthy", "failing", "dead", "blocked"]))
  .addOption(new Option("--limit <n>", "at most this many").argParser(count).default(100))
  .action(async (options: { state?: string; limit: number }) => {
    await commands.hosts(command(program), options);
  });

program
  .command("host")
  .description("one host: its state, recent attempts and parked deliveries (operator token)")
  .argument("<host>")
  .addOption(new Option("--limit <n>", "attempts and parked deliveries shown").argParser(count).default(20))
  .action(async (host: string, options: { limit: number }) => {
    await commands.host(command(program), host, options);
  });

program
  .command("redrive")
  .description("deliver settled failures again: one activity's, or one host's (--host, operator token)")
  .argument("[id]", "the activity")
  .option("--host <host>", "every activity's failures to this host")
  .option("--since <time>", "with --host: from this RFC 3339 time, or a duration back (24h, 7d)")
  .option("--until <time>", "with --host: up to this time")
  .option("--outcomes <list>", "comma-separated: rejected, expired, gone, discarded (default rejected,expired)")
  .option("--request-id <id>", "the same id again redrives nothing more")
  .action(async (id: string | undefined, options: commands.RedriveOptions) => {
    await commands.redrive(command(program), id, options);
  });

for (const [name, blocked] of [
  ["block", true],
  ["unblock", false],
] as const) {
  program
    .command(name)
    .description(blocked ? "send nothing more to a host (operator token)" : "deliver to a blocked host again (operator token)")
    .argument("<host>")
    .action(async (host: string) => {
      await commands.block(command(program), host, blocked);
    });
}

const quarantine = program.command("quarantine").description("messages consumers set aside as failing for good (operator token)");
quarantine
  .command("list", { isDefault: true })
  .description("list them, oldest first")
  .addOption(new Option("--limit <n>", "at most this many").argParser(count).default(50))
  .option("--cursor <cursor>", "the next page, as the previous one said")
  .action(async (options: { limit: number; cursor?: string }) => {
    await commands.quarantine(command(program), options);
  });
quarantine
  .command("redrive")
  .description("publish one to its topic again, once its cause is fixed")
  .argument("<id>", "the ID the list shows")
  .action(async (id: string) => {
    await commands.redriveQuarantined(command(program), id);
  });

program
  .command("migrate")
  .description("apply pending database migrations to FEDIFLOW_DATABASE_URL")
  .allowUnknownOption()
  .helpOption(false)
  .action((_options: unknown, self: Program) => runTool("@fediflow/postgres/dist/cli.js", self.args));

program
  .command("topics")
  .description("create the Kafka topics that are missing (FEDIFLOW_KAFKA_*)")
  .allowUnknownOption()
  .helpOption(false)
  .action((_options: unknown, self: Program) => runTool("@fediflow/kafka/dist/topics-cli.js", self.args));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`fediflow: ${oneLine(error)}\n`);
  process.exit(error instanceof CliFailure ? 64 : 1);
});

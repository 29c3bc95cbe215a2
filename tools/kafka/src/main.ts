#!/usr/bin/env node
// `node tools/kafka/dist/main.js [--nodes 3] [--port 19092] [--dir .local/kafka] [--namespace x.]
//   [--tls] [--scram user:password]`:
// Apache Kafka on loopback with FediFlow's topics, in the foreground. Prints the bootstrap
// servers, then takes `kill N` and `restart N` on standard input; Ctrl-C stops every node.
// --tls and --scram add secured listeners beside the plaintext one, printed on standard error.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { KafkaCluster } from "./cluster";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: "string", default: "1" },
      port: { type: "string" },
      dir: { type: "string" },
      namespace: { type: "string", default: "" },
      tls: { type: "boolean", default: false },
      scram: { type: "string" },
    },
  });
  const nodes = Number(values.nodes);
  const port = values.port === undefined ? undefined : Number(values.port);
  const [username, ...password] = (values.scram ?? "").split(":");
  if (values.scram !== undefined && (!username || password.length === 0)) throw new Error("--scram takes user:password");
  const cluster = await KafkaCluster.start({
    nodes,
    // Each node takes two ports: its client port and the next one for its controller.
    ports: port === undefined ? undefined : Array.from({ length: nodes }, (_, i) => port + 2 * i),
    dir: values.dir,
    namespace: values.namespace,
    tls: values.tls,
    scram: values.scram === undefined ? undefined : { username: username!, password: password.join(":") },
    onLog: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${cluster.bootstrapServers.join(",")}\n`);
  process.stderr.write(`kafka: ${nodes} node(s) ready; logs in ${cluster.nodes.map((n) => `${n.dir}/server.log`).join(", ")}\n`);
  if (cluster.tls) process.stderr.write(`kafka: TLS at ${cluster.tlsBootstrapServers.join(",")}, CA ${cluster.tls.caFile}\n`);
  if (values.scram !== undefined) process.stderr.write(`kafka: SASL/SCRAM-SHA-512 at ${cluster.scramBootstrapServers.join(",")}\n`);

  const stop = async () => {
    await cluster.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  createInterface({ input: process.stdin }).on("line", (line) => {
    const [command, id] = line.trim().split(/\s+/);
    const action = command === "kill" ? cluster.kill(Number(id)) : command === "restart" ? cluster.restart(Number(id)) : Promise.reject(new Error(`unknown command: ${line}`));
    action.then(
      () => process.stdout.write(`ok ${line.trim()}\n`),
      (error: unknown) => process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`kafka failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

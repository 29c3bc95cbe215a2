import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { expect, inject, it } from "vitest";
import { allTopics } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { createKafka } from "../src";

const run = promisify(execFile);
const cli = path.resolve(__dirname, "..", "dist", "topics-cli.js");

it("`fediflow topics` creates the missing topics under the namespace, then finds them all there", async () => {
  const namespace = `topics-${randomUUID().slice(0, 8)}.`;
  const env = { ...process.env, FEDIFLOW_KAFKA_BROKERS: inject("kafkaBrokers"), FEDIFLOW_KAFKA_NAMESPACE: namespace, FEDIFLOW_KAFKA_TOPIC_REPLICATION_FACTOR: "1" };
  const names = allTopics.map((topic) => `${namespace}${topic.name}`).sort();

  const first = await run("node", [cli], { env });
  expect(first.stdout.trim().split("\n").sort()).toEqual(names.map((name) => `created ${name}`).sort());
  const second = await run("node", [cli], { env });
  expect(second.stdout.trim().split("\n").sort()).toEqual(names.map((name) => `exists ${name}`).sort());

  const admin = createKafka({ brokers: inject("kafkaBrokers").split(","), clientId: "topics-test", logger: createLogger("test", "error") }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    for (const spec of allTopics) {
      expect(topics.find((topic) => topic.name === `${namespace}${spec.name}`)?.partitions).toHaveLength(spec.partitions);
    }
  } finally {
    await admin.disconnect();
  }
});

it("says what is wrong when a setting is", async () => {
  const failed = run("node", [cli], { env: { ...process.env, FEDIFLOW_KAFKA_BROKERS: inject("kafkaBrokers"), FEDIFLOW_KAFKA_NAMESPACE: "no spaces" } });
  await expect(failed).rejects.toMatchObject({ stderr: expect.stringContaining("FEDIFLOW_KAFKA_NAMESPACE") });
});

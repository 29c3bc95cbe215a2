// A vitest globalSetup: one Kafka for every test file of a package (the run's shared one when
// scripts/test.sh started it), handed to the files as inject("kafkaBrokers").
import { kafkaForTests, testKafkaVariable } from "./test-cluster";

interface SetupContext {
  provide(key: "kafkaBrokers", value: string): void;
}

export default async function setup(context: SetupContext): Promise<() => Promise<void>> {
  const kafka = await kafkaForTests();
  const brokers = kafka.brokers.join(",");
  context.provide("kafkaBrokers", brokers);
  // Node scripts that tests start (stacks, benchmarks) find it here too.
  process.env[testKafkaVariable] = brokers;
  return () => kafka.stop();
}

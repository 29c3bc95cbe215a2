import { describe, expect, it } from "vitest";
import { whileSettling } from "../src/cluster-settling";

const kafkaError = (name: string, message: string) => Object.assign(new Error(message), { name });
const noSleep = async () => undefined;

describe("whileSettling", () => {
  it("tries again while the cluster answers with kafkajs's errors, then returns", async () => {
    let calls = 0;
    const result = await whileSettling(
      async () => {
        calls += 1;
        if (calls < 4) throw kafkaError("KafkaJSProtocolError", "This server does not host this topic-partition");
        return "done";
      },
      60_000,
      noSleep,
    );
    expect(result).toBe("done");
    expect(calls).toBe(4);
  });

  it("gives up at once on an authentication failure or an error of its own", async () => {
    for (const error of [kafkaError("KafkaJSSASLAuthenticationError", "SASL SCRAM SHA512 authentication failed"), new Error("topic has 3 partitions")]) {
      let calls = 0;
      await expect(
        whileSettling(
          async () => {
            calls += 1;
            throw error;
          },
          60_000,
          noSleep,
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it("gives up at its deadline with the last error", async () => {
    const error = kafkaError("KafkaJSProtocolError", "Not the leader");
    await expect(whileSettling(() => Promise.reject(error), 0, noSleep)).rejects.toBe(error);
  });
});

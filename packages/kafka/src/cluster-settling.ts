/**
 * Retries an admin step while the cluster is still settling: a fresh or loaded cluster answers
 * "not the leader", "does not host this topic-partition" or "coordinator not available" for a
 * while after it starts or creates a topic, longer than kafkajs's own few retries on a busy
 * machine. Authentication failures and errors not from kafkajs are final at once.
 */
export async function whileSettling<T>(step: () => Promise<T>, timeoutMs = 60_000, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      return await step();
    } catch (error) {
      if (!settling(error) || Date.now() + delayMs > deadline) throw error;
      await sleep(delayMs);
    }
  }
}

function settling(error: unknown): boolean {
  if (!(error instanceof Error) || !error.name.startsWith("KafkaJS")) return false;
  return !/SASL|Authentication|Authorization/i.test(error.name) && !/authentication|authoriz/i.test(error.message);
}

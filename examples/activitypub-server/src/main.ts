import { FediFlowClient } from "@fediflow/client";
import { createExample } from "./server";

// 1. Settings: where FediFlow is, its token, and where this server is reached.
const port = Number(process.env.PORT ?? 3000);
const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
const fediflow = new FediFlowClient({ baseUrl: process.env.FEDIFLOW_URL ?? "http://127.0.0.1:8080", token: process.env.FEDIFLOW_TOKEN ?? "" });

async function main(): Promise<void> {
  // 2. The server, its actor's key registered with FediFlow, its webhook subscribed.
  const example = createExample({ publicUrl, fediflow });
  await example.register();
  example.app.listen(port, "127.0.0.1", () => process.stdout.write(`example ActivityPub server on ${publicUrl} (${example.actorId})\n`));
  await example.subscribe();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

// The fake fediverse in a process of its own, so its CPU is not counted as the client's.
// Protocol on stdin/stdout, one JSON object per line:
//   → {"trust": {"keyId", "publicKeyPem"}}   ← {"ok": true}
//   → {"count": true}                        ← {"accepted": n, "rejected": n, "firstAt", "lastAt"}
// The first line out is {"port", "hosts": [{"host", "origin"}]}.
import { createInterface } from "node:readline";
import { FakeFediverse } from "@fediflow/fake-fediverse";

async function main(): Promise<void> {
  const hosts = Number(process.argv[2] ?? 100);
  const fediverse = await FakeFediverse.start({ hosts: Array.from({ length: hosts }, () => ({ sharedInbox: false })), network: 78 });
  const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  out({ port: fediverse.port, hosts: fediverse.hosts.map((host) => ({ host: host.host, origin: host.origin })) });
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as { trust?: { keyId: string; publicKeyPem: string }; count?: boolean };
    if (command.trust) {
      fediverse.trustKey(command.trust.keyId, command.trust.publicKeyPem);
      out({ ok: true });
    } else if (command.count) {
      const posts = fediverse.allReceived();
      const accepted = posts.filter((post) => post.status === 202);
      out({
        accepted: accepted.length,
        rejected: posts.length - accepted.length,
        firstAt: accepted.length ? Math.min(...accepted.map((p) => p.receivedAt)) : null,
        lastAt: accepted.length ? Math.max(...accepted.map((p) => p.receivedAt)) : null,
      });
    }
  }
  await fediverse.stop();
}

void main();

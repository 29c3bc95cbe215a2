import { createSocket, type Socket } from "node:dgram";
import dnsPacket from "dns-packet";

/**
 * A DNS server on loopback for tests: answers A/AAAA for the names it was given and NXDOMAIN
 * for everything else, so name-resolution paths (DNS failures, names that resolve to private
 * addresses) are exercised without a query ever leaving the machine.
 */
export class FakeDns {
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    private readonly records: Map<string, string[]>,
  ) {}

  static async start(records: Record<string, string | string[]> = {}): Promise<FakeDns> {
    const socket = createSocket("udp4");
    const table = new Map(
      Object.entries(records).map(([name, addresses]) => [name.toLowerCase(), Array.isArray(addresses) ? addresses : [addresses]]),
    );
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const dns = new FakeDns(socket, socket.address().port, table);
    socket.on("message", (message, peer) => dns.answer(message, peer.port, peer.address));
    return dns;
  }

  /** The server as FEDIFLOW_DNS_SERVERS names it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, addresses: string[]): void {
    this.records.set(name.toLowerCase(), addresses);
  }

  private answer(message: Buffer, port: number, address: string): void {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const known = this.records.get(question.name.toLowerCase());
    const family = question.type === "AAAA" ? 6 : question.type === "A" ? 4 : 0;
    const answers = (known ?? [])
      .filter((ip) => (family === 6 ? ip.includes(":") : family === 4 ? !ip.includes(":") : false))
      .map((ip) => ({ type: question.type as "A" | "AAAA", name: question.name, ttl: 5, data: ip }));
    const response = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3), // rcode 3: NXDOMAIN
      questions: query.questions,
      answers,
    });
    this.socket.send(response, port, address);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

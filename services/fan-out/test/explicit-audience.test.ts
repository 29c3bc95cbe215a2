import { describe, expect, it } from "vitest";
import { maxReasonBytes } from "@fediflow/contracts";
import { HostStandings } from "@fediflow/host-view";
import { UnresolvableActor } from "../src/actor-document";
import { resolveExplicitAudience } from "../src/explicit-audience";

describe("resolveExplicitAudience", () => {
  it("settles an unresolvable actor with a reason cut to a few hundred bytes", async () => {
    // The remote server controls the document's id, which the reason quotes.
    const hostileId = `https://elsewhere.example/${"a".repeat(64 * 1024)}`;
    const { settled } = await resolveExplicitAudience(
      { actors: ["https://remote.example/users/bob"], inboxes: [] },
      {
        resolve: async (actorId) => {
          throw new UnresolvableActor(actorId, `document id ${hostileId} is on another host`, { status: 200 });
        },
        hosts: new HostStandings(),
        signingKey: async () => null,
        concurrency: 1,
      },
    );
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ outcome: "rejected", status: 200 });
    expect(settled[0]!.reason).toMatch(/^actor could not be resolved: document id https:\/\/elsewhere\.example\/a+…$/);
    expect(Buffer.byteLength(settled[0]!.reason)).toBeLessThanOrEqual(maxReasonBytes);
  });
});

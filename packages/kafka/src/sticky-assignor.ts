import { AssignerProtocol, type PartitionAssigner } from "kafkajs";

/**
 * Which partitions each member gets: every member keeps as many of the partitions it had as
 * its fair share allows (floor or ceil of partitions/members), and only the rest move. A
 * rebalance (a pod added or removed) then moves the fewest partitions, so the least in-flight
 * work is redone and per-host state (held lanes, breaker trials) stays where it is.
 */
export function stickyAssignment(members: Array<{ id: string; previous: number[] }>, partitions: number[]): Map<string, number[]> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = new Map<string, number[]>(sorted.map((member) => [member.id, []]));
  if (sorted.length === 0) return result;
  const base = Math.floor(partitions.length / sorted.length);
  let larger = partitions.length % sorted.length;
  const available = new Set(partitions);
  // Members with the most previous partitions first take the ceil-sized shares.
  const byPrevious = [...sorted].sort((a, b) => b.previous.length - a.previous.length);
  const quota = new Map<string, number>();
  for (const member of byPrevious) {
    const extra = larger > 0 && member.previous.filter((p) => available.has(p)).length > base ? 1 : 0;
    larger -= extra;
    quota.set(member.id, base + extra);
  }
  for (const member of byPrevious) {
    const kept = result.get(member.id)!;
    for (const partition of [...member.previous].sort((a, b) => a - b)) {
      if (kept.length >= quota.get(member.id)! || !available.has(partition)) continue;
      kept.push(partition);
      available.delete(partition);
    }
  }
  // The rest go to members below their quota; leftover ceil shares to the first members.
  for (const member of sorted) {
    if (larger > 0 && quota.get(member.id)! === base) {
      quota.set(member.id, base + 1);
      larger -= 1;
    }
  }
  const free = [...available].sort((a, b) => a - b);
  for (const member of sorted) {
    const list = result.get(member.id)!;
    while (list.length < quota.get(member.id)! && free.length > 0) list.push(free.shift()!);
    list.sort((a, b) => a - b);
  }
  return result;
}

/**
 * A kafkajs partition assigner using stickyAssignment. Each member advertises what it owns
 * now in its subscription's userData; the group leader assigns from that. Falls back to an even
 * split when a member sends nothing (a new member, or another assigner's metadata).
 */
export function stickyAssigner(owned: () => Record<string, number[]>): PartitionAssigner {
  return ({ cluster }) => ({
    name: "FediFlowSticky",
    version: 1,
    async assign({ members, topics }) {
      const perMember = new Map<string, Record<string, number[]>>(members.map((member) => [member.memberId, {}]));
      for (const topic of topics) {
        const partitions = cluster.findTopicPartitionMetadata(topic).map((metadata) => metadata.partitionId);
        const assignment = stickyAssignment(
          members.map((member) => ({ id: member.memberId, previous: previousOf(member.memberMetadata, topic) })),
          partitions,
        );
        for (const [memberId, list] of assignment) perMember.get(memberId)![topic] = list;
      }
      return [...perMember].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return {
        name: "FediFlowSticky",
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(owned())) }),
      };
    },
  });
}

function previousOf(metadata: Buffer, topic: string): number[] {
  try {
    const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
    const owned = JSON.parse(decoded?.userData.toString("utf8") || "{}") as Record<string, unknown>;
    const list = owned[topic];
    return Array.isArray(list) ? list.filter((p): p is number => Number.isInteger(p)) : [];
  } catch {
    return [];
  }
}

import type { SubmitActivity } from "@fediflow/client";
import { createNote, type LocalActor, type TestStack } from "@fediflow/e2e";

/** The activities of one edit storm: a Create, then `edits` Updates of the same note. */
export function editStorm(actor: LocalActor, edits: number): Array<SubmitActivity["activity"]> {
  const create = createNote(actor.id, "version 0");
  const note = create.object as Record<string, unknown>;
  const updates = Array.from({ length: edits }, (_, i) => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${note.id as string}#update-${i + 1}`,
    type: "Update",
    actor: actor.id,
    object: { ...note, content: `version ${i + 1}` },
  }));
  return [create, ...updates];
}

/** Posts the storm to all followers, `gapMs` apart; resolves with FediFlow's activity ids. */
export async function sendStorm(t: TestStack, actor: LocalActor, storm: Array<SubmitActivity["activity"]>, gapMs: number): Promise<string[]> {
  const ids: string[] = [];
  for (const activity of storm) {
    const accepted = await t.client.submitActivity({ actor: actor.id, activity, audience: { followers: true } });
    ids.push(accepted.id);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return ids;
}

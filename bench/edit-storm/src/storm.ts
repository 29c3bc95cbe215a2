import { createNote, type LocalActor, type TestStack } from "@fediflow/e2e";

/** The activities of one edit storm: a Create, then `edits` Updates of the same note. */
export function editStorm(actor: LocalActor, edits: number): Array<Record<string, unknown>> {
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
export async function sendStorm(t: TestStack, actor: LocalActor, storm: Array<Record<string, unknown>>, gapMs: number): Promise<string[]> {
  const ids: string[] = [];
  for (const activity of storm) {
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { followers: true } });
    if (accepted.status !== 202) throw new Error(`ingress answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
    ids.push(accepted.body.id as string);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return ids;
}

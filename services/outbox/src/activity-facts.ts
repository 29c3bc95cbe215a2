/** What FediFlow needs to know about an activity to store, order and route it. */
export interface ActivityFacts {
  id: string;
  type: string;
  actor: string;
  /**
   * The object whose lane the activity travels in: activities about one object reach each
   * host in the order they were accepted. For Undo it is the undone activity's object, so
   * Undo(Like X) queues behind Like X; activities without an object get their own lane.
   */
  laneObject: string | null;
  /** For an Undo: the IRI of the activity it undoes. */
  undoes: string | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function idOf(value: Json | undefined): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.id === "string") return value.id;
  return null;
}

/** Reads the facts; throws when id, type or actor is missing (ingress has already checked). */
export function activityFacts(activity: Record<string, Json>): ActivityFacts {
  const id = idOf(activity.id);
  const actor = idOf(activity.actor);
  const type = activity.type;
  if (!id || !actor || typeof type !== "string") throw new Error("activity needs id, type and actor");
  const object = activity.object;
  let laneObject = idOf(object);
  if (type === "Undo" && object && typeof object === "object" && !Array.isArray(object)) {
    laneObject = idOf(object.object) ?? laneObject;
  }
  const undoes = type === "Undo" ? idOf(object) : null;
  return { id, type, actor, laneObject, undoes };
}

export type { Json };

import type { ActivityStatus, FediFlowClient } from "@fediflow/client";
import { useState } from "preact/hooks";
import { href } from "../route";
import { useLive } from "../use-live";
import { ProblemNotice, ProgressBar, Table, Time } from "../widgets";

const pageSize = 20;

/** Recent activities, newest first, each with its progress while it delivers. */
export function ActivitiesPage({ client }: { client: FediFlowClient }) {
  const [pages, setPages] = useState(1);
  const live = useLive(() => client.activities({ limit: pageSize * pages }), `activities:${pages}`, 2_000);
  return (
    <section aria-labelledby="activities-title">
      <h1 id="activities-title">Activities</h1>
      <ProblemNotice error={live.error} />
      {live.data && live.data.items.length === 0 ? <p>No activity yet: submit one with POST /v1/activities.</p> : null}
      {live.data && live.data.items.length > 0 ? (
        <Table caption="Recent activities, newest first" columns={["Activity", "State", "Submitted", "Inboxes"]}>
          {live.data.items.map((activity: ActivityStatus) => (
            <tr key={activity.id}>
              <td>
                <a href={href({ page: "activity", id: activity.id })} class="mono">
                  {activity.id}
                </a>
              </td>
              <td>
                <span class={`state ${activity.state}`}>{activity.state.replace("_", " ")}</span>
              </td>
              <td>
                <Time at={activity.createdAt} />
              </td>
              <td class="wide">
                <ProgressBar counts={activity.inboxes} label={`Progress of ${activity.id}`} />
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {live.data?.next ? (
        <button type="button" onClick={() => setPages((n) => n + 1)}>
          Show older activities
        </button>
      ) : null}
    </section>
  );
}

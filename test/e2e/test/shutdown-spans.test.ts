import { afterAll, beforeAll, expect, it } from "vitest";
import { OtlpReceiver, TestStack, createNote, waitFor } from "../src";

let otlp: OtlpReceiver;
let t: TestStack;

beforeAll(async () => {
  otlp = await OtlpReceiver.start();
  t = await TestStack.start({
    env: otlp.env,
    // Ingress's batch processor would hold its spans for an hour: only the shutdown flush sends them.
    serviceEnv: { ingress: { OTEL_BSP_SCHEDULE_DELAY: "3600000" } },
  });
});
afterAll(async () => {
  await t?.stop();
  await otlp?.stop();
});

it("exports the spans still buffered when a service stops on SIGTERM", async () => {
  const actor = await t.registerActor("alice");
  const accepted = await t.api("POST", "/v1/activities", {
    actor: actor.id,
    activity: createNote(actor.id),
    audience: { inboxes: [t.fediverse.hosts[0]!.sharedInbox] },
  });
  expect(accepted.status).toBe(202);
  const traceId = accepted.body.traceId as string;
  // The outbox exports on its short schedule; ingress, on an hour's, has sent nothing of it yet.
  await waitFor("the outbox's spans", () => otlp.trace(traceId).some((span) => span.service === "fediflow-outbox") || undefined, 20_000);
  expect(otlp.trace(traceId).filter((span) => span.service === "fediflow-ingress")).toEqual([]);

  const exit = await t.stack.processes.get("ingress")!.stop();
  expect(exit.code).toBe(0);
  // The exporter had its answer before the process exited, so the span is here already.
  const root = otlp.trace(traceId).find((span) => span.service === "fediflow-ingress" && !span.parentSpanId);
  expect(root?.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 202 });
});

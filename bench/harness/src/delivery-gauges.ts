import { parsePrometheusText, type Sample } from "@fediflow/local-stack";

/** What the delivery process's own metrics said while a run was going (sampled every 500 ms). */
export interface DeliveryGauges {
  samples: number;
  /** HTTP requests in flight from the process. */
  inFlightMean: number;
  inFlightMax: number;
  /** Unconsumed messages of the deliveries topic, the process's own view. */
  lagMessagesMax: number;
  /** Mean time from sending a request to its outcome (fediflow_delivery_duration_seconds), ms. */
  requestMeanMs: number | null;
}

const total = (samples: Sample[], name: string, match: (labels: Record<string, string>) => boolean = () => true) =>
  samples.filter((s) => s.name === name && match(s.labels)).reduce((sum, s) => sum + s.value, 0);

/**
 * Samples the delivery process's /metrics until stopped: whether it was starved (few requests
 * in flight, no lag), held back at admission (lag with few in flight) or busy sending.
 */
export function sampleDeliveryGauges(metricsUrl: string): { stop(): Promise<DeliveryGauges> } {
  const inFlight: number[] = [];
  let lagMax = 0;
  let first: Sample[] | null = null;
  let last: Sample[] | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const text = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.text())
        .catch(() => null);
      if (text !== null) {
        const samples = parsePrometheusText(text);
        first ??= samples;
        last = samples;
        inFlight.push(total(samples, "fediflow_delivery_in_flight"));
        lagMax = Math.max(
          lagMax,
          total(samples, "fediflow_consumer_lag_messages", (labels) => labels.topic === "fediflow.deliveries"),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const delta = (name: string) => (last ? total(last, name) : 0) - (first ? total(first, name) : 0);
      const count = delta("fediflow_delivery_duration_seconds_count");
      return {
        samples: inFlight.length,
        inFlightMean: inFlight.reduce((a, b) => a + b, 0) / Math.max(inFlight.length, 1),
        inFlightMax: Math.max(0, ...inFlight),
        lagMessagesMax: lagMax,
        requestMeanMs: count > 0 ? (delta("fediflow_delivery_duration_seconds_sum") / count) * 1000 : null,
      };
    },
  };
}

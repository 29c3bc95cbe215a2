/**
 * The Kubernetes HorizontalPodAutoscaler's decision, reproduced for the local stack so the
 * demo, the tests and the benchmark scale delivery processes exactly as the chart's HPA would
 * scale pods. Follows the documented algorithm
 * (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details)
 * and the controller's normalisation (pkg/controller/podautoscaler/horizontal.go:
 * stabilizeRecommendationWithBehaviors, then convertDesiredReplicasWithBehaviorRate with
 * calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors):
 *   1. per metric: desired = ceil(current × value / target), no change within the tolerance;
 *      several metrics: the largest desired count wins;
 *   2. stabilisation: the lowest recommendation within the scale-up window and the highest
 *      within the scale-down window bound the result;
 *   3. rate limits: each policy allows, from the replica count at the start of its period,
 *      +Pods or ×(1+Percent/100) up (−Pods, ×(1−Percent/100) down); selectPolicy Max picks
 *      the most permissive, Min the least, Disabled forbids;
 *   4. clamp to [minReplicas, maxReplicas].
 */

export interface ScalingPolicy {
  type: "Pods" | "Percent";
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: "Max" | "Min" | "Disabled";
  policies: ScalingPolicy[];
}

export interface HpaBehavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** Kubernetes' defaults when `behavior` is left out. */
export const defaultBehavior: HpaBehavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Percent", value: 100, periodSeconds: 15 },
      { type: "Pods", value: 4, periodSeconds: 15 },
    ],
  },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
};

/** One metric's reading against its target. */
export type MetricReading =
  /** Resource utilization: average percent of request across pods, target percent. */
  | { kind: "utilization"; averagePercent: number; targetPercent: number }
  /** External metric with an AverageValue target: the total over all pods, target per pod. */
  | { kind: "averageValue"; total: number; targetPerPod: number }
  /** External metric with a Value target: the metric as it is, against the target. */
  | { kind: "value"; value: number; target: number };

export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  behavior: HpaBehavior;
  /** Default 0.1: no scaling while the ratio to target is within ±10%. */
  tolerance?: number;
}

/** The replica count one metric asks for (step 1). */
export function desiredForMetric(current: number, reading: MetricReading, tolerance = 0.1): number {
  if (reading.kind === "utilization") {
    const ratio = reading.averagePercent / reading.targetPercent;
    if (Math.abs(ratio - 1) <= tolerance) return current;
    return Math.ceil(ratio * current);
  }
  if (reading.kind === "value") {
    const ratio = reading.value / reading.target;
    if (Math.abs(ratio - 1) <= tolerance) return current;
    return Math.ceil(ratio * current);
  }
  const ratio = reading.total / (reading.targetPerPod * Math.max(current, 1));
  if (Math.abs(ratio - 1) <= tolerance) return current;
  return Math.ceil(reading.total / reading.targetPerPod);
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
}

/** One HPA's memory across sync periods: past recommendations and scale events. */
export class HorizontalPodAutoscaler {
  private recommendations: Recommendation[] = [];
  private scaleUps: ScaleEvent[] = [];
  private scaleDowns: ScaleEvent[] = [];

  constructor(readonly spec: HpaSpec) {}

  /** The replica count to run now, given the current count and each metric's reading. */
  decide(current: number, readings: MetricReading[], now: number): number {
    const tolerance = this.spec.tolerance ?? 0.1;
    const desired = readings.length === 0 ? current : Math.max(...readings.map((reading) => desiredForMetric(current, reading, tolerance)));
    const stabilized = this.stabilize(current, desired, now);
    const limited = this.limitRate(current, stabilized, now);
    if (limited > current) this.scaleUps.push({ change: limited - current, at: now });
    if (limited < current) this.scaleDowns.push({ change: current - limited, at: now });
    return limited;
  }

  private stabilize(current: number, desired: number, now: number): number {
    const { scaleUp, scaleDown } = this.spec.behavior;
    const upCutoff = now - scaleUp.stabilizationWindowSeconds * 1000;
    const downCutoff = now - scaleDown.stabilizationWindowSeconds * 1000;
    let up = desired;
    let down = desired;
    for (const recommendation of this.recommendations) {
      if (recommendation.at > upCutoff) up = Math.min(up, recommendation.replicas);
      if (recommendation.at > downCutoff) down = Math.max(down, recommendation.replicas);
    }
    this.recommendations = this.recommendations.filter((r) => r.at > Math.min(upCutoff, downCutoff));
    this.recommendations.push({ replicas: desired, at: now });
    return Math.min(Math.max(current, up), down);
  }

  private limitRate(current: number, desired: number, now: number): number {
    const { minReplicas, maxReplicas, behavior } = this.spec;
    if (desired > current) {
      const limit = Math.max(this.limit(current, behavior.scaleUp, "up", now), current);
      return Math.min(desired, limit, maxReplicas);
    }
    if (desired < current) {
      const limit = Math.min(this.limit(current, behavior.scaleDown, "down", now), current);
      return Math.max(desired, limit, minReplicas);
    }
    return Math.min(Math.max(desired, minReplicas), maxReplicas);
  }

  private limit(current: number, rules: ScalingRules, direction: "up" | "down", now: number): number {
    if (rules.selectPolicy === "Disabled") return current;
    const proposals = rules.policies.map((policy) => {
      const since = now - policy.periodSeconds * 1000;
      const added = this.scaleUps.filter((e) => e.at > since).reduce((sum, e) => sum + e.change, 0);
      const removed = this.scaleDowns.filter((e) => e.at > since).reduce((sum, e) => sum + e.change, 0);
      const periodStart = current - added + removed;
      if (direction === "up")
        return policy.type === "Pods" ? periodStart + policy.value : Math.ceil(periodStart * (1 + policy.value / 100));
      return policy.type === "Pods" ? periodStart - policy.value : Math.floor(periodStart * (1 - policy.value / 100));
    });
    // Max: the most permissive change (highest up, lowest down); Min: the least permissive.
    const mostPermissive = (direction === "up") === (rules.selectPolicy === "Max");
    return mostPermissive ? Math.max(...proposals) : Math.min(...proposals);
  }
}

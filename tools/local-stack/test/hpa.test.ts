import { describe, expect, it } from "vitest";
import { HorizontalPodAutoscaler, defaultBehavior, desiredForMetric, type HpaBehavior } from "../src/hpa";

const s = 1000;

describe("desiredForMetric (the documented formula)", () => {
  it("50 replicas at 90% CPU against a 75% target want 60 (the Kubernetes docs' example)", () => {
    expect(desiredForMetric(50, { kind: "utilization", averagePercent: 90, targetPercent: 75 })).toBe(60);
  });

  it("does nothing within the 10% tolerance", () => {
    expect(desiredForMetric(10, { kind: "utilization", averagePercent: 78, targetPercent: 75 })).toBe(10);
    expect(desiredForMetric(4, { kind: "averageValue", total: 4_300, targetPerPod: 1_000 })).toBe(4);
  });

  it("scales a Value target in proportion to the current count", () => {
    // 120 s of estimated lag against a 60 s target: twice the pods.
    expect(desiredForMetric(3, { kind: "value", value: 120, target: 60 })).toBe(6);
    expect(desiredForMetric(3, { kind: "value", value: 64, target: 60 })).toBe(3);
  });

  it("sizes for an external AverageValue target from the total", () => {
    expect(desiredForMetric(2, { kind: "averageValue", total: 9_000, targetPerPod: 1_000 })).toBe(9);
    expect(desiredForMetric(5, { kind: "averageValue", total: 0, targetPerPod: 1_000 })).toBe(0);
  });
});

describe("HorizontalPodAutoscaler (behavior)", () => {
  const lag = (total: number) => [{ kind: "averageValue" as const, total, targetPerPod: 100 }];

  it("scales up at most by the default policies: double, or +4 pods, per 15 s", () => {
    const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 24, behavior: defaultBehavior });
    expect(hpa.decide(1, lag(2_000), 0)).toBe(5); // max(1×2, 1+4)
    expect(hpa.decide(5, lag(2_000), 5 * s)).toBe(5); // still inside the period that started at 1
    expect(hpa.decide(5, lag(2_000), 16 * s)).toBe(10); // new period: max(5×2, 5+4)
    expect(hpa.decide(10, lag(2_000), 32 * s)).toBe(20);
    expect(hpa.decide(20, lag(9_000), 48 * s)).toBe(24); // capped by maxReplicas
  });

  it("scales down only after the stabilization window, to the highest recent recommendation", () => {
    const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 10, behavior: defaultBehavior });
    expect(hpa.decide(1, lag(800), 0)).toBe(5);
    expect(hpa.decide(5, lag(800), 15 * s)).toBe(8);
    // The backlog drains: the metric asks for 1, but 8 was recommended within 300 s.
    expect(hpa.decide(8, lag(50), 60 * s)).toBe(8);
    expect(hpa.decide(8, lag(50), 200 * s)).toBe(8);
    expect(hpa.decide(8, lag(50), 316 * s)).toBe(1);
  });

  it("follows custom policies: fast up, one pod per minute down, selectPolicy Min", () => {
    const behavior: HpaBehavior = {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 10, periodSeconds: 5 }] },
      scaleDown: {
        stabilizationWindowSeconds: 30,
        selectPolicy: "Min",
        policies: [
          { type: "Pods", value: 1, periodSeconds: 60 },
          { type: "Percent", value: 50, periodSeconds: 60 },
        ],
      },
    };
    const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 24, behavior });
    expect(hpa.decide(1, lag(1_500), 0)).toBe(11);
    expect(hpa.decide(11, lag(1_500), 6 * s)).toBe(15);
    // Scale-ups inside a scale-down period count too: the period "started" at 1 replica, so
    // the allowance (from 1) would go below the minimum; the controller does the same.
    expect(hpa.decide(15, lag(0), 40 * s)).toBe(1);
  });

  it("removes one pod per minute with selectPolicy Min once the scale-up is out of the period", () => {
    const behavior: HpaBehavior = {
      scaleUp: defaultBehavior.scaleUp,
      scaleDown: {
        stabilizationWindowSeconds: 30,
        selectPolicy: "Min",
        policies: [
          { type: "Pods", value: 1, periodSeconds: 60 },
          { type: "Percent", value: 50, periodSeconds: 60 },
        ],
      },
    };
    const hpa = new HorizontalPodAutoscaler({ minReplicas: 1, maxReplicas: 24, behavior });
    expect(hpa.decide(15, lag(0), 0)).toBe(14); // Min of (15−1, 15×0.5): one pod
    expect(hpa.decide(14, lag(0), 30 * s)).toBe(14); // that pod used the period's allowance
    expect(hpa.decide(14, lag(0), 61 * s)).toBe(13);
  });

  it("never goes below minReplicas or above maxReplicas, and Disabled freezes a direction", () => {
    const hpa = new HorizontalPodAutoscaler({
      minReplicas: 2,
      maxReplicas: 3,
      behavior: {
        ...defaultBehavior,
        scaleDown: { ...defaultBehavior.scaleDown, selectPolicy: "Disabled", stabilizationWindowSeconds: 0 },
      },
    });
    expect(hpa.decide(1, lag(0), 0)).toBe(2);
    expect(hpa.decide(2, lag(10_000), 20 * s)).toBe(3);
    expect(hpa.decide(3, lag(0), 40 * s)).toBe(3);
  });
});

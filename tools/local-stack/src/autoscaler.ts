import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { repositoryRoot } from "@fediflow/kafka-cluster";
import { cpuSeconds } from "./process-stats";
import { HorizontalPodAutoscaler, type HpaBehavior, type MetricReading } from "./hpa";
import { parsePrometheusText } from "./prometheus-text";
import type { ServiceName } from "./service-process";
import type { RunningStack } from "./stack";

/** The chart's services.<name>.autoscaling block (the numbers the HPA uses on a cluster). */
export interface AutoscalingValues {
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage?: number;
  consumerLag?: { enabled: boolean; metricName: string; target: { type: "Value" | "AverageValue"; value: string } };
  behavior: HpaBehavior;
}

/** Reads a service's autoscaling values and CPU request from the chart's values.yaml. */
export function chartAutoscaling(service: ServiceName, valuesFile = path.join(repositoryRoot, "charts", "fediflow", "values.yaml")) {
  const values = parse(readFileSync(valuesFile, "utf8")) as {
    services: Record<string, { autoscaling: AutoscalingValues; resources: { requests: { cpu: string } } }>;
  };
  const entry = values.services[service];
  if (!entry?.autoscaling) throw new Error(`the chart does not autoscale ${service}`);
  const cpu = entry.resources.requests.cpu;
  const cpuRequestCores = cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
  return { autoscaling: entry.autoscaling, cpuRequestCores };
}

/** What the autoscaler saw and did at one sync. */
export interface ScalingSample {
  /** Wall-clock epoch ms. */
  at: number;
  replicas: number;
  desired: number;
  cpuPercent: number | null;
  lagMessages: number;
  lagSeconds: number;
  /** Messages the group finished per second since the previous sync. */
  drainRate: number;
}

export interface AutoscalerOptions {
  stack: RunningStack;
  service: Extract<ServiceName, "delivery" | "fan-out">;
  /** Partitions of the topic the service consumes: replicas beyond it would sit idle. */
  partitions: number;
  /** Overrides of the chart's values (e.g. a smaller maxReplicas for a test). */
  overrides?: Partial<AutoscalingValues>;
  /**
   * Runs the controller's clock this many times faster than the wall clock: the chart's
   * windows and periods (and the 15 s sync period) keep their numbers but pass in less time.
   */
  speedup?: number;
  onSample?(sample: ScalingSample): void;
  /** Exit codes of processes removed by scale-in. */
  onScaledIn?(name: string, code: number | null, stopMs: number): void;
}

/** Kubernetes' default sync period of the HPA controller (--horizontal-pod-autoscaler-sync-period). */
const syncPeriodSeconds = 15;

/**
 * The HPA as a mode of the local stack: every sync period it reads the live metrics of the
 * service's processes (CPU per process against the chart's CPU request, and the group's lag
 * in seconds as the Prometheus Adapter rule computes it), runs the controller's algorithm with
 * the chart's numbers, and starts or stops processes: new ones join the consumer group,
 * removed ones get SIGTERM and drain, exactly as pods would.
 */
export class LocalAutoscaler {
  readonly samples: ScalingSample[] = [];
  private readonly hpa: HorizontalPodAutoscaler;
  private readonly values: AutoscalingValues;
  private readonly cpuRequestCores: number;
  private readonly speedup: number;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private lastCpu = new Map<number, { at: number; seconds: number }>();
  private lastFinished: { at: number; total: number } | null = null;
  private stopped = false;

  constructor(private readonly options: AutoscalerOptions) {
    const chart = chartAutoscaling(options.service);
    this.values = { ...chart.autoscaling, ...options.overrides };
    this.values.maxReplicas = Math.min(this.values.maxReplicas, options.partitions);
    this.cpuRequestCores = chart.cpuRequestCores;
    this.speedup = options.speedup ?? 1;
    this.hpa = new HorizontalPodAutoscaler({
      minReplicas: this.values.minReplicas,
      maxReplicas: this.values.maxReplicas,
      behavior: this.values.behavior,
    });
  }

  get spec(): AutoscalingValues {
    return this.values;
  }

  start(): void {
    const every = (syncPeriodSeconds * 1000) / this.speedup;
    const tick = () => {
      if (this.stopped) return;
      this.busy = this.sync().catch(() => undefined);
      void this.busy.then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, every);
      });
    };
    this.timer = setTimeout(tick, every);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy;
  }

  /** The controller's clock: wall time since start, sped up. */
  private controllerNow(): number {
    return (Date.now() - this.startedAt) * this.speedup;
  }

  private processes() {
    return [...this.options.stack.processes.values()].filter((p) => p.options.service === this.options.service && p.running);
  }

  private async sync(): Promise<void> {
    const processes = this.processes();
    const now = Date.now();
    // CPU utilization against the request, averaged over pods, as the resource metric is.
    const utilizations: number[] = [];
    for (const process of processes) {
      const seconds = cpuSeconds(process.pid!);
      const last = this.lastCpu.get(process.pid!);
      if (last) utilizations.push(((seconds - last.seconds) / ((now - last.at) / 1000) / this.cpuRequestCores) * 100);
      this.lastCpu.set(process.pid!, { at: now, seconds });
    }
    // The group's lag: each partition once; the drain rate from every process's finished count.
    const partitions = new Map<string, number>();
    let finished = 0;
    for (const process of processes) {
      const text = await fetch(`${this.options.stack.opsUrl(process.options.name)}/metrics`)
        .then((response) => response.text())
        .catch(() => "");
      for (const sample of parsePrometheusText(text)) {
        if (sample.name === "fediflow_consumer_lag_messages") {
          const key = `${sample.labels.topic}/${sample.labels.partition}`;
          partitions.set(key, Math.max(partitions.get(key) ?? 0, sample.value));
        }
        if (sample.name === "fediflow_consumer_messages_total") finished += sample.value;
      }
    }
    const lagMessages = [...partitions.values()].reduce((sum, lag) => sum + lag, 0);
    const drainRate =
      this.lastFinished && now > this.lastFinished.at
        ? Math.max(finished - this.lastFinished.total, 0) / ((now - this.lastFinished.at) / 1000)
        : 0;
    this.lastFinished = { at: now, total: finished };
    const lagSeconds = lagMessages === 0 ? 0 : Math.min(lagMessages / Math.max(drainRate, 0.1), 3_600);

    const readings: MetricReading[] = [];
    const cpuPercent = utilizations.length > 0 ? utilizations.reduce((a, b) => a + b, 0) / utilizations.length : null;
    if (this.values.targetCPUUtilizationPercentage && cpuPercent !== null) {
      readings.push({ kind: "utilization", averagePercent: cpuPercent, targetPercent: this.values.targetCPUUtilizationPercentage });
    }
    const lag = this.values.consumerLag;
    if (lag?.enabled) {
      const target = Number(lag.target.value);
      readings.push(
        lag.target.type === "Value"
          ? { kind: "value", value: lagSeconds, target }
          : { kind: "averageValue", total: lagSeconds, targetPerPod: target },
      );
    }
    const current = processes.length;
    const desired = this.hpa.decide(current, readings, this.controllerNow());
    const sample = { at: now, replicas: current, desired, cpuPercent, lagMessages, lagSeconds, drainRate };
    this.samples.push(sample);
    this.options.onSample?.(sample);
    await this.scaleTo(current, desired);
  }

  private async scaleTo(current: number, desired: number): Promise<void> {
    if (desired > current) {
      await Promise.all(Array.from({ length: desired - current }, () => this.options.stack.addProcess(this.options.service)));
    } else if (desired < current) {
      // Newest first, as a ReplicaSet removes the youngest pods when it scales down.
      const victims = this.processes()
        .reverse()
        .slice(0, current - desired);
      await Promise.all(
        victims.map(async (victim) => {
          const started = Date.now();
          const { code } = await victim.stop();
          this.options.onScaledIn?.(victim.options.name, code, Date.now() - started);
          this.options.stack.processes.delete(victim.options.name);
        }),
      );
    }
  }
}

import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { distFile } from "./dist-file";

export interface FloorJob {
  inboxesByHost: Record<string, string[]>;
  body: string;
  keyId: string;
  privateKeyPem: string;
  perHost: number;
  signSeconds: number;
}

/** One core doing nothing but signing and POSTing: the cost a delivery cannot go below. */
export interface Floor {
  signaturesPerSecond: number;
  postsPerSecond: number;
  clientCpuMsPerPost: number;
  /** One signature plus one POST's client CPU, ms. */
  cpuMsPerDelivery: number;
  /** 1000 / cpuMsPerDelivery: one core's deliveries per second at the floor. */
  deliveriesPerCoreSecond: number;
}

export async function measureFloor(job: FloorJob): Promise<Floor> {
  const jobFile = path.join(os.tmpdir(), `fediflow-bench-floor-${process.pid}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const { stdout } = await promisify(execFile)(process.execPath, [distFile("floor-process.js"), jobFile], {
    maxBuffer: 1 << 20,
  }).finally(() => rmSync(jobFile, { force: true }));
  const measured = JSON.parse(stdout) as Pick<Floor, "signaturesPerSecond" | "postsPerSecond" | "clientCpuMsPerPost">;
  const cpuMsPerDelivery = 1000 / measured.signaturesPerSecond + measured.clientCpuMsPerPost;
  return { ...measured, cpuMsPerDelivery, deliveriesPerCoreSecond: 1000 / cpuMsPerDelivery };
}

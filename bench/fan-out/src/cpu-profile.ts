// Preload for profiling the fan-out process (NODE_OPTIONS does not allow --cpu-prof):
// `--node-options="--require <this file>"` with FEDIFLOW_BENCH_PROFILE_DIR set. Writes a
// .cpuprofile (open it in Chrome DevTools or speedscope) when the process exits.
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
import path from "node:path";

const directory = process.env.FEDIFLOW_BENCH_PROFILE_DIR ?? ".";
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 200 });
session.post("Profiler.start");
process.on("exit", () => {
  // Inside one thread the inspector answers synchronously, so this runs before the exit.
  session.post("Profiler.stop", (error, result) => {
    if (error) return;
    writeFileSync(path.join(directory, `fan-out-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});

// matrix-js-sdk doing the benchmark's registration: client.register() with
// an m.login.dummy auth dict (one POST /register) in a loop on one client,
// timed like bench_loop.c.
//
//   node jssdk_register.mjs <sdk-dir> <homeserver-url> <threads> <seconds> <max-calls> <warmup-calls>
//
// <sdk-dir> is the installed matrix-js-sdk package (the benchmark installs it
// outside the source tree). Only one thread (one event loop, calls awaited in
// turn). Prints {"calls","errors","wall_s","cpu_s","threads"} as one JSON
// line; stops at the first failed call.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [sdkDir, url, threads, seconds, maxCalls, warmup] = process.argv.slice(2);
if (warmup === undefined || threads !== "1") {
  console.error("usage: node jssdk_register.mjs <sdk-dir> <url> 1 <seconds> <max-calls> <warmup-calls>");
  process.exit(2);
}
const sdk = await import(pathToFileURL(join(sdkDir, "lib", "index.js")).href);
const { logger } = await import(pathToFileURL(join(sdkDir, "lib", "logger.js")).href);

// The SDK logs every request at debug level by default: printing is not part
// of a registration's cost.
logger.setLevel("warn");
const client = sdk.createClient({ baseUrl: url });

async function oneCall() {
  try {
    const response = await client.register("bench", "bench-Passw0rd-floor", null, {
      type: "m.login.dummy",
    });
    if (response.user_id) return true;
    console.error("jssdk_register: no user_id in", response);
  } catch (error) {
    console.error("jssdk_register:", error.message ?? error);
  }
  return false;
}

function cpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

let calls = 0;
let errors = 0;
for (let i = 0; i < Number(warmup); i++) {
  if (!(await oneCall())) {
    errors++;
    break;
  }
}
const wallStart = performance.now();
const cpuStart = cpuSeconds();
const deadline = wallStart + Number(seconds) * 1000;
while (errors === 0 && calls < Number(maxCalls)) {
  if (calls % 16 === 0 && performance.now() >= deadline) break;
  if (!(await oneCall())) errors++;
  calls++;
}
const wall = (performance.now() - wallStart) / 1000;
const cpu = cpuSeconds() - cpuStart;
client.stopClient();
console.log(JSON.stringify({ calls, errors, wall_s: wall, cpu_s: cpu, threads: 1 }));
process.exit(errors === 0 ? 0 : 1);

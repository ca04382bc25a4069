// matrix-js-sdk doing one sign-up flow once, for the latency benchmark
// (bench/latency.py runs it against the delaying proxy).
//
//   node jssdk_flows.mjs <sdk-dir> <flow> <url> [<argument>]
//
// Flows (what the SDK offers for each):
//   discovery  getVersions(), loginFlows(), getAuthMetadata() (a 404 is an
//              answer: no OAuth, no password login)
//   register   register() with m.login.dummy (one POST /register)
//   oauth      getAuthMetadata(), registerOidcClient(); the authorization URL
//              (generateOidcAuthorizationUrl, no I/O) needs a browser's
//              `window`, so Node stops before it
//
// Times the flow alone (the SDK is loaded and the client made first); prints
// {"wall_s": ...} as one JSON line. A failure exits non-zero.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [sdkDir, flow, url] = process.argv.slice(2);
if (url === undefined) {
  console.error("usage: node jssdk_flows.mjs <sdk-dir> <flow> <url> [<argument>]");
  process.exit(2);
}
const lib = (path) => import(pathToFileURL(join(sdkDir, "lib", path)).href);
const sdk = await lib("index.js");
const { logger } = await lib("logger.js");
logger.setLevel("warn");
const client = sdk.createClient({ baseUrl: url });
const redirectUri = "http://127.0.0.1:8765/callback";

async function orNotFound(call) {
  try {
    return await call();
  } catch (error) {
    if (error.httpStatus === 404) return null;
    throw error;
  }
}

const flows = {
  async discovery() {
    await client.getVersions();
    await orNotFound(() => client.loginFlows());
    await orNotFound(() => client.getAuthMetadata());
  },
  async register() {
    const name = `lat${randomBytes(6).toString("hex")}`;
    const answer = await client.register(name, "bench-Passw0rd-latency", null, { type: "m.login.dummy" });
    if (!answer.user_id) throw new Error(`no user_id in ${JSON.stringify(answer)}`);
  },
  async oauth() {
    const metadata = await client.getAuthMetadata();
    await sdk.registerOidcClient(metadata, {
      clientName: "latency bench",
      clientUri: "https://mxreg.test.invalid/",
      redirectUris: [redirectUri],
      applicationType: "native",
      contacts: [],
      tosUri: "https://mxreg.test.invalid/tos",
      policyUri: "https://mxreg.test.invalid/policy",
    });
  },
};

if (!flows[flow]) {
  console.error(`unknown flow ${flow}`);
  process.exit(2);
}
const started = performance.now();
try {
  await flows[flow]();
} catch (error) {
  console.error("jssdk_flows:", error.message ?? error);
  process.exit(1);
}
console.log(JSON.stringify({ wall_s: (performance.now() - started) / 1000 }));
process.exit(0);

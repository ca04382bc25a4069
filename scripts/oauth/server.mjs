// The test rig's OAuth 2.0 server for a Synapse with
// `matrix_authentication_service` delegation: oidc-provider plus the glue
// that plays the contract Synapse expects from the Matrix Authentication
// Service (see shared fixtures README, "OAuth 2.0 delegation"):
//
//   - introspection at {issuer}oauth2/introspect, authenticated with the
//     shared secret as a bearer token, answering `username`;
//   - users provisioned in Synapse at sign-up, devices when tokens are issued,
//     devices deleted when a token is revoked (Synapse caches introspection
//     answers for two minutes; a deleted device invalidates them).
//
//   node server.mjs --port 18109 --homeserver http://127.0.0.1:18108 \
//                   --secret-file PATH [--issuer http://127.0.0.1:18109/]
//
// With --upstream-for-synapse it is instead the upstream OpenID Connect
// provider of a Synapse with `oidc_providers` (SSO): the secret is that
// Synapse's client secret (client `synapse-sso`), and Synapse creates its
// users itself at their first sign-in, so nothing is provisioned there.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { Accounts } from './accounts.mjs';
import { accountPage, interactionHandler } from './interactions.mjs';
import { createProvider, deviceIdOf } from './provider.mjs';
import { synapseClient } from './synapse.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    issuer: { type: 'string' },
    homeserver: { type: 'string' },
    'secret-file': { type: 'string' },
    'upstream-for-synapse': { type: 'boolean' },
  },
});
if (!args.port || !args.homeserver || !args['secret-file']) {
  console.error('usage: server.mjs --port N --homeserver URL --secret-file PATH [--issuer URL]');
  process.exit(2);
}
const port = Number(args.port);
const issuer = args.issuer || `http://127.0.0.1:${port}/`;
const sharedSecret = readFileSync(args['secret-file'], 'utf8').trim();

const accounts = new Accounts();
const upstream = Boolean(args['upstream-for-synapse']);
// Only a delegating Synapse has the /_synapse/mas API.
const synapse = upstream ? undefined : synapseClient(args.homeserver, sharedSecret);
const provider = createProvider({
  issuer, homeserverUrl: args.homeserver, sharedSecret, accounts, upstream,
});

function sessionOf(token) {
  const account = token && accounts.byId(token.accountId);
  const deviceId = token && deviceIdOf(token.scope);
  return account && deviceId ? { localpart: account.localpart, deviceId } : undefined;
}

// Synapse authenticates introspection with `Authorization: Bearer <secret>`,
// which RFC 7662 servers do not know: present it as the `synapse` client's
// basic credentials instead.
provider.use(async (ctx, next) => {
  if (ctx.path === '/oauth2/introspect' && ctx.get('authorization') === `Bearer ${sharedSecret}`) {
    const basic = Buffer.from(`synapse:${sharedSecret}`).toString('base64');
    ctx.req.headers.authorization = `Basic ${basic}`;
  }
  await next();
});

// Tokens issued (code exchange or refresh): make sure Synapse knows the
// device before the client uses the token.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/oauth2/token' || ctx.status !== 200 || !ctx.body?.access_token) {
    return;
  }
  const token = await provider.AccessToken.find(ctx.body.access_token);
  const session = sessionOf(token);
  if (session && synapse) {
    const client = await provider.Client.find(token.clientId);
    await synapse.upsertDevice(session.localpart, session.deviceId, client?.clientName);
  }
});

// A revoked token ends the session: delete its device in Synapse.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/oauth2/revoke' || ctx.status !== 200) {
    return;
  }
  const entities = ctx.oidc?.entities || {};
  const session = sessionOf(entities.AccessToken || entities.RefreshToken);
  if (session && synapse) {
    await synapse.deleteDevice(session.localpart, session.deviceId);
  }
});

const providerCallback = provider.callback();
const interactions = interactionHandler({ provider, accounts, synapse });

const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/interaction/')) {
      await interactions(req, res, url);
    } else if (url.pathname === '/account') {
      accountPage(res);
    } else {
      await providerCallback(req, res);
    }
  } catch (err) {
    console.error(`${req.method} ${url.pathname}: ${err.stack || err}`);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    }
    res.end(`error: ${err.name}: ${err.message}\n`);
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`oauth server ${issuer} listening on 127.0.0.1:${port} for ${args.homeserver}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

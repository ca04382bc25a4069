// The oidc-provider configuration: an OAuth 2.0 server shaped like the
// Matrix Authentication Service as Synapse and Matrix clients see it
// (dynamic registration, PKCE S256, prompt=create, Matrix scopes as the
// resource scopes of the homeserver, opaque tokens, introspection, refresh
// rotation, revocation that ends the session).

import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider, { interactionPolicy, errors } from 'oidc-provider';

import { devicePages } from './device_pages.mjs';

const ACCESS_TOKEN_TTL_S = 300;
const DAY_S = 24 * 60 * 60;
// Device codes (RFC 8628) live two minutes; a client whose name contains
// SHORT_DEVICE_CODE_MARK gets codes that expire in a few seconds, so that
// a test can let one expire.
const DEVICE_CODE_TTL_S = 120;
export const SHORT_DEVICE_CODE_MARK = '(short-lived device codes)';
const SHORT_DEVICE_CODE_TTL_S = 3;

// The Matrix scopes (stable and MSC2967 unstable prefixes).
const MATRIX_SCOPE = /^urn:matrix:(?:client|org\.matrix\.msc2967\.client):(?:api:\*|device:[A-Za-z0-9._~-]+)$/;
const DEVICE_SCOPE = /^urn:matrix:(?:client|org\.matrix\.msc2967\.client):device:(.+)$/;

export function matrixScopes(scope) {
  return (scope || '').split(' ').filter((token) => MATRIX_SCOPE.test(token));
}

// The device of a token's scope: Synapse accepts exactly one.
export function deviceIdOf(scope) {
  const devices = (scope || '').split(' ')
    .map((token) => DEVICE_SCOPE.exec(token)?.[1])
    .filter(Boolean);
  return devices.length === 1 ? devices[0] : undefined;
}

// The Matrix scopes in play for this request: the authorization request's
// own, or those of the code or refresh token being exchanged. The resource
// server "offers" exactly these, so the dynamic device scope is granted
// instead of being dropped as unknown.
function requestedMatrixScopes(ctx) {
  const { params, entities } = ctx.oidc;
  const sources = [
    params?.scope,
    entities.AuthorizationCode?.scope,
    entities.RefreshToken?.scope,
    entities.RotatedRefreshToken?.scope,
    entities.DeviceCode?.scope,
  ];
  return [...new Set(sources.flatMap(matrixScopes))];
}

// The client a Synapse with `oidc_providers` signs users in with, when this
// server is its upstream identity provider (server.mjs --upstream-for-synapse).
export const SSO_CLIENT_ID = 'synapse-sso';

// The confidential client of a Synapse that uses this server for SSO: its
// OIDC callback is the only redirect URI; the secret is the shared one.
function ssoClient(homeserverUrl, sharedSecret) {
  return {
    client_id: SSO_CLIENT_ID,
    client_secret: sharedSecret,
    client_name: 'Synapse single sign-on',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [new URL('/_synapse/client/oidc/callback', homeserverUrl).href],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

export function createProvider({ issuer, homeserverUrl, sharedSecret, accounts, upstream = false }) {
  const audience = new URL('/', homeserverUrl).href;
  const policy = interactionPolicy.base();
  // prompt=create (OpenID Connect Prompt Create 1.0): asked for by the
  // client, resolved by the sign-up page.
  policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    clients: [upstream ? ssoClient(homeserverUrl, sharedSecret) : {
      // Synapse itself: it introspects with the shared secret (see the
      // bearer-to-basic bridge in server.mjs).
      client_id: 'synapse',
      client_secret: sharedSecret,
      grant_types: [],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    // Synapse's SSO reads the localpart from the ID token's
    // preferred_username (it asks for the profile scope, not the claim).
    conformIdTokenClaims: !upstream,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    jwks: { keys: [{ ...signingKey, use: 'sig', kid: 'rig-signing-key' }] },
    scopes: ['openid', 'offline_access', 'profile'],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    findAccount(_ctx, sub) {
      const account = accounts.byId(sub);
      return account && {
        accountId: sub,
        claims: () => ({ sub, preferred_username: account.localpart, name: account.displayname }),
      };
    },
    // Synapse reads the localpart from `username` in the introspection answer.
    extraTokenClaims(_ctx, token) {
      const account = accounts.byId(token.accountId);
      return account ? { username: account.localpart } : undefined;
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      // RFC 8628, for apps without a browser; the pages are plain forms
      // (devicePages below) that a test fills over HTTP.
      deviceFlow: {
        enabled: true,
        userCodeInputSource: devicePages.input,
        userCodeConfirmSource: devicePages.confirm,
        successSource: devicePages.success,
      },
      resourceIndicators: {
        enabled: true,
        // The SSO client's tokens are for this server (ID token, userinfo),
        // not for the homeserver.
        defaultResource: (_ctx, client) => (client?.clientId === SSO_CLIENT_ID ? undefined : audience),
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator !== audience) {
            throw new errors.InvalidTarget();
          }
          return {
            scope: requestedMatrixScopes(ctx).join(' '),
            audience,
            accessTokenFormat: 'opaque',
            accessTokenTTL: ACCESS_TOKEN_TTL_S,
          };
        },
      },
    },
    pkce: { required: () => true },
    // The authorization code grant only, as Matrix clients use it.
    responseTypes: ['code'],
    // Matrix clients get refresh tokens without asking for offline_access,
    // rotated on every use; tokens outlive the browser session.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    expiresWithSession: () => false,
    // Revoking either token ends the whole session, as in MAS.
    revokeGrantPolicy: () => true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_S,
      AuthorizationCode: 60,
      Grant: 14 * DAY_S,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * DAY_S,
      DeviceCode: (_ctx, _code, client) => (
        String(client?.clientName || '').includes(SHORT_DEVICE_CODE_MARK)
          ? SHORT_DEVICE_CODE_TTL_S : DEVICE_CODE_TTL_S),
      Session: 14 * DAY_S,
    },
    routes: {
      authorization: '/authorize',
      token: '/oauth2/token',
      registration: '/oauth2/registration',
      introspection: '/oauth2/introspect',
      revocation: '/oauth2/revoke',
      userinfo: '/oauth2/userinfo',
      jwks: '/oauth2/keys.json',
      device_authorization: '/oauth2/device',
      code_verification: '/device',
    },
    discovery: {
      account_management_uri: new URL('account', issuer).href,
      account_management_actions_supported: ['org.matrix.profile', 'org.matrix.sessions_list'],
      prompt_values_supported: ['none', 'login', 'consent', 'create'],
    },
  });
  provider.proxy = false;
  return provider;
}

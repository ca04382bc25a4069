// The pages a user sees during authorization: sign-up (prompt=create),
// sign-in and consent, as plain HTML forms that a test can fill over HTTP.
// Each form posts back here; a finished step hands the result to
// oidc-provider, which redirects to the next step or to the client.

import { readFileSync } from 'node:fs';

import { Accounts } from './accounts.mjs';
import { SSO_CLIENT_ID, deviceIdOf } from './provider.mjs';
import { SynapseError } from './synapse.mjs';

const PAGES = new URL('./pages/', import.meta.url);
const MAX_FORM_BYTES = 64 * 1024;

function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// `{{name}}` is replaced escaped, `{{{name}}}` as it is (already HTML).
function render(page, values) {
  const template = readFileSync(new URL(`${page}.html`, PAGES), 'utf8');
  return template
    .replace(/\{\{\{(\w+)\}\}\}/g, (_, key) => values[key] ?? '')
    .replace(/\{\{(\w+)\}\}/g, (_, key) => escapeHtml(values[key]));
}

function sendHtml(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function errorBlock(message) {
  return message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : '';
}

async function readForm(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) {
      throw new Error('form too large');
    }
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

// `login_hint=mxid:@alice:server` (MSC4198) pre-fills the username.
function hintedLocalpart(params) {
  const match = /^mxid:@([^:]+):/.exec(params.login_hint || '');
  return match ? match[1] : '';
}

export function interactionHandler({ provider, accounts, synapse }) {
  async function clientOf(details) {
    const client = await provider.Client.find(details.params.client_id);
    return { name: client?.clientName || details.params.client_id, uri: client?.clientUri || '' };
  }

  async function showPage(req, res, details, { page, error, username, status = 200 }) {
    const client = await clientOf(details);
    const values = {
      uid: details.uid,
      client_name: client.name,
      client_uri: client.uri,
      error: errorBlock(error),
      username: username ?? hintedLocalpart(details.params),
    };
    if (page === 'consent') {
      const scopes = String(details.params.scope || '').split(' ').filter(Boolean);
      values.scopes = scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
    }
    sendHtml(res, status, render(page, values));
  }

  async function show(req, res, details, url) {
    const { name } = details.prompt;
    if (name === 'consent') {
      return showPage(req, res, details, { page: 'consent' });
    }
    // A client without prompt=create (Synapse's SSO) gets the sign-in page;
    // its "Create an account" link (?signup=1) leads to the sign-up page.
    const wantsSignUp = url.searchParams.get('signup') === '1';
    const wantsLogin = (name === 'login' && !wantsSignUp) || url.searchParams.get('login') === '1';
    return showPage(req, res, details, { page: wantsLogin ? 'login' : 'signup' });
  }

  async function signUp(req, res, details) {
    const form = await readForm(req);
    const username = String(form.username || '').trim();
    const retry = (error) => showPage(req, res, details, { page: 'signup', error, username, status: 400 });
    if (!Accounts.validLocalpart(username)) {
      return retry('Usernames use lower-case letters, digits and ._=-/+ only.');
    }
    if (!form.password || form.password !== form.password_confirm) {
      return retry('The passwords are empty or do not match.');
    }
    if (form.accept_terms !== '1') {
      return retry('You must accept the terms.');
    }
    if (accounts.hasLocalpart(username)) {
      return retry('This username is taken.');
    }
    try {
      // A Synapse that signs users in through this server (SSO) creates
      // its own account on the first sign-in; a delegating one is told now.
      if (synapse) {
        await synapse.checkLocalpart(username);
        await synapse.provisionUser(username, form.displayname);
      }
    } catch (err) {
      if (err instanceof SynapseError && err.status < 500) {
        return retry(`The homeserver refused this username: ${err.errcode || err.message}.`);
      }
      throw err;
    }
    const account = accounts.create({ localpart: username, displayname: form.displayname, password: form.password });
    return provider.interactionFinished(req, res, {
      create: { localpart: username },
      login: { accountId: account.accountId },
    }, { mergeWithLastSubmission: false });
  }

  async function logIn(req, res, details) {
    const form = await readForm(req);
    const username = String(form.username || '').trim();
    const account = accounts.authenticate(username, String(form.password || ''));
    if (!account) {
      return showPage(req, res, details, {
        page: 'login', error: 'Unknown username or wrong password.', username, status: 400,
      });
    }
    // Signing in also answers a prompt=create the user chose not to follow.
    return provider.interactionFinished(req, res, {
      create: {},
      login: { accountId: account.accountId },
    }, { mergeWithLastSubmission: false });
  }

  async function consent(req, res, details) {
    await readForm(req);
    const { prompt: { details: missing }, params, session } = details;
    // Matrix clients get a device; Synapse's own SSO client gets none.
    if (params.client_id !== SSO_CLIENT_ID && !deviceIdOf(params.scope)) {
      return showPage(req, res, details, {
        page: 'consent', error: 'The client must ask for exactly one Matrix device scope.', status: 400,
      });
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) {
      grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    }
    if (missing.missingOIDCClaims) {
      grant.addOIDCClaims(missing.missingOIDCClaims);
    }
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, {
      consent: details.grantId ? {} : { grantId },
    }, { mergeWithLastSubmission: true });
  }

  async function abort(req, res) {
    await readForm(req);
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }

  const actions = { create: signUp, login: logIn, consent, abort };

  // Handles GET /interaction/<uid> and POST /interaction/<uid>/<action>.
  return async function handle(req, res, url) {
    const [, , uid, action] = url.pathname.split('/');
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      return sendHtml(res, 400, '<p>This sign-in page does not belong to your session.</p>');
    }
    if (req.method === 'GET' && action === undefined) {
      return show(req, res, details, url);
    }
    if (req.method === 'POST' && actions[action]) {
      return actions[action](req, res, details);
    }
    return sendHtml(res, 404, '<p>Not found.</p>');
  };
}

export function accountPage(res) {
  sendHtml(res, 200, render('account', {}));
}

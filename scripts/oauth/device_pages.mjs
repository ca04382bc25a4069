// The pages of the device flow (RFC 8628) the user sees at the
// verification URI: enter the code, confirm (or abort), success. Plain
// HTML around the forms oidc-provider builds (which carry the XSRF token),
// with nothing fetched from elsewhere.

function page(title, body) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>
${body}
</body></html>`;
}

function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const devicePages = {
  async input(ctx, form, _out, err) {
    const message = err ? `<p class="error" role="alert">${escapeHtml(err.message || err.name)}</p>` : '';
    ctx.body = page('Enter the code', `${message}
<p>Enter the code your device shows.</p>
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`);
  },

  async confirm(ctx, form, client, _deviceInfo, userCode) {
    ctx.body = page('Confirm the device', `
<p><strong>${escapeHtml(client.clientName || client.clientId)}</strong> asks to sign in.
Your device shows <code id="user-code">${escapeHtml(userCode)}</code>.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`);
  },

  async success(ctx) {
    ctx.body = page('Signed in', '<p id="device-success">You can close this page and return to your device.</p>');
  },
};

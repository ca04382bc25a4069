// Synapse's side of the delegation contract: the /_synapse/mas/* API an
// OAuth server calls (with the shared secret as bearer) to create users and
// devices. Synapse creates neither by itself once auth is delegated.

export class SynapseError extends Error {
  constructor(status, errcode, message) {
    super(message || errcode || `HTTP ${status}`);
    this.status = status;
    this.errcode = errcode;
  }
}

export function synapseClient(baseUrl, secret) {
  async function call(method, path, body) {
    const headers = { authorization: `Bearer ${secret}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { error: text };
    }
    if (response.status >= 300) {
      throw new SynapseError(response.status, json.errcode, json.error);
    }
    return json;
  }

  return {
    // Throws a SynapseError (M_USER_IN_USE, M_INVALID_USERNAME, ...) when
    // the localpart cannot be registered.
    checkLocalpart: (localpart) => call(
      'GET',
      `/_synapse/mas/is_localpart_available?localpart=${encodeURIComponent(localpart)}`,
    ),
    provisionUser: (localpart, displayname) => call('POST', '/_synapse/mas/provision_user', {
      localpart,
      ...(displayname ? { set_displayname: displayname } : {}),
    }),
    upsertDevice: (localpart, deviceId, displayName) => call('POST', '/_synapse/mas/upsert_device', {
      localpart,
      device_id: deviceId,
      ...(displayName ? { display_name: displayName } : {}),
    }),
    deleteDevice: (localpart, deviceId) => call('POST', '/_synapse/mas/delete_device', {
      localpart,
      device_id: deviceId,
    }),
  };
}

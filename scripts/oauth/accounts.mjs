// The OAuth server's own user store: in memory, like the rest of this
// throw-away server (a restart of the rig starts Synapse afresh too).

import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';

// Synapse's localpart grammar (historical user IDs aside).
const LOCALPART = /^[a-z0-9._=\-/+]{1,255}$/;

function hash(password, salt) {
  return scryptSync(password, salt, 32);
}

export class Accounts {
  #byId = new Map();
  #byLocalpart = new Map();

  static validLocalpart(localpart) {
    return LOCALPART.test(localpart);
  }

  create({ localpart, displayname, password }) {
    const salt = randomBytes(16);
    const account = {
      accountId: randomUUID(),
      localpart,
      displayname: displayname || undefined,
      salt,
      passwordHash: hash(password, salt),
    };
    this.#byId.set(account.accountId, account);
    this.#byLocalpart.set(localpart, account);
    return account;
  }

  byId(accountId) {
    return this.#byId.get(accountId);
  }

  hasLocalpart(localpart) {
    return this.#byLocalpart.has(localpart);
  }

  // The account when the password matches, else undefined.
  authenticate(localpart, password) {
    const account = this.#byLocalpart.get(localpart);
    if (!account) {
      return undefined;
    }
    return timingSafeEqual(hash(password, account.salt), account.passwordHash) ? account : undefined;
  }
}

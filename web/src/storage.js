// The only thing the widget keeps in the browser: the signed conversation token, whether the chat was
// open and whether the person switched this conversation to "Facile à lire". It is written when the
// person opens the chat, never before (CNIL guidance on chatbots), and removed when they erase the
// conversation.
import { isSessionToken } from './session.js';

export class SessionStore {
  constructor(key) {
    this.key = key;
    this.memory = null; // used when localStorage is unavailable (private mode, blocked storage)
  }

  _storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  /** `{ id, open, easyRead }` or null. Reading stores nothing. */
  load() {
    let raw = null;
    const s = this._storage();
    try {
      raw = s ? s.getItem(this.key) : this.memory;
    } catch (e) {
      raw = this.memory;
    }
    if (!raw) return null;
    try {
      const data = JSON.parse(raw);
      if (data && isSessionToken(data.id)) {
        return { id: data.id, open: data.open === true, easyRead: data.easyRead === true };
      }
    } catch (e) {
      /* corrupted entry: ignored */
    }
    return null;
  }

  save(record) {
    const raw = JSON.stringify({ v: 1, id: record.id, open: record.open === true, easyRead: record.easyRead === true });
    this.memory = raw;
    const s = this._storage();
    try {
      if (s) s.setItem(this.key, raw);
    } catch (e) {
      /* quota or blocked storage: the conversation will simply not survive a reload */
    }
  }

  clear() {
    this.memory = null;
    const s = this._storage();
    try {
      if (s) s.removeItem(this.key);
    } catch (e) {
      /* nothing to do */
    }
  }
}

// The Rasa 3.6 socket.io protocol: connect, `session_request {session_id}`, wait for
// `session_confirm`, then `user_uttered {message, session_id}`; answers come as `bot_uttered`.
// The server issues the session (channels/web.py): `session_id` is the signed token it sent in an
// earlier `session_confirm` (or null for a new conversation); a token it does not accept is
// answered with a new one, which the widget adopts (`onSession`).
// With `session_persistence: true` Rasa puts the socket in a room named after the session id
// and sends the answers to that room, so a session_request must follow every (re)connection.
import { io } from 'socket.io-client';

// Rasa acknowledges a message once it has finished answering it; past this delay the widget
// stops waiting (the message is not sent again unless the history shows it never arrived).
const ACK_TIMEOUT_MS = 30000;

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.url server URL (scheme, host, port)
   * @param {string} options.path socket.io path, `/socket.io` by default
   * @param {string|null} options.sessionId the signed session token, null for a new conversation
   * @param {(token: string) => void} options.onSession the server issued a (new) session token
   * @param {() => void} options.onConfirm the session is (again) ready to receive messages
   * @param {(message: object) => void} options.onBotMessage a `bot_uttered` payload
   * @param {(state: 'connecting'|'lost'|'stopped') => void} options.onState
   */
  constructor(options) {
    this.options = options;
    this.sessionId = options.sessionId;
    this.socket = null;
    this.confirmed = false;
    this.stopped = false;
  }

  start() {
    const { url, path } = this.options;
    const socket = io(url, {
      path,
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 8000,
      autoConnect: false,
      withCredentials: false,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.confirmed = false;
      socket.emit('session_request', { session_id: this.sessionId });
    });
    socket.on('session_confirm', (id) => {
      const confirmedId = id && typeof id === 'object' ? id.session_id : id;
      if (typeof confirmedId !== 'string' || !confirmedId) return;
      if (confirmedId !== this.sessionId) {
        this.sessionId = confirmedId;
        this.options.onSession(confirmedId);
      }
      this.confirmed = true;
      this.options.onConfirm();
    });
    socket.on('bot_uttered', (message) => {
      if (message && typeof message === 'object') this.options.onBotMessage(message);
    });
    socket.on('disconnect', (reason) => {
      this.confirmed = false;
      if (this.stopped) return;
      // The server closed the socket on purpose: socket.io does not retry by itself then.
      if (reason === 'io server disconnect') socket.connect();
      this.options.onState('lost');
    });
    socket.on('connect_error', () => {
      if (!this.stopped) this.options.onState('lost');
    });
    this.options.onState('connecting');
    socket.connect();
  }

  /** Whether a message can be sent right now. */
  get ready() {
    return Boolean(this.socket && this.socket.connected && this.confirmed);
  }

  /** Try to reconnect now (e.g. the browser says it is back online). */
  nudge() {
    if (this.socket && !this.socket.connected && !this.stopped) this.socket.connect();
  }

  /** Send one message; `onDone(error)` runs once Rasa has answered, or with an error. */
  send(text, onDone) {
    this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emit('user_uttered', { message: text, session_id: this.sessionId }, (err) => onDone(err || null));
  }

  stop() {
    this.stopped = true;
    this.confirmed = false;
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
    }
    this.options.onState('stopped');
  }
}

// The chat widget: a launcher button and a non-modal dialog with the transcript (role="log"),
// a labelled textarea and real buttons. Vanilla DOM, inside an open shadow root so that the
// partner's styles do not leak in.
import { eraseConversation, fetchHistory } from './api.js';
import { Connection } from './connection.js';
import { buttonsOf, makeLink, renderText, safeUrl, spokenText } from './render.js';
import { Reader } from './speech.js';
import { SessionStore } from './storage.js';
import { format, strings } from './strings.js';

const TYPING_DELAY_MS = 400;
const CONNECTING_DELAY_MS = 1000;
const STATUS_CLEAR_MS = 5000;
const CSS_TIMEOUT_MS = 3000;
const MAX_INPUT = 1000;
// The "Écouter" button of a new answer appears this long after the answer, so that screen readers
// announce the answer alone (see _listenTools).
const LISTEN_REVEAL_MS = 500;
// Hidden payloads of the "Facile à lire" switch (intents of the assistant's domain).
const EASY_READ_ON = '/ask_easy_read';
const EASY_READ_OFF = '/ask_normal_read';

const ICON_CHAT =
  'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
const ICON_SPEAKER =
  'M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.5 4.5 0 0 0 16.5 12zM14 3.23v2.06a7 7 0 0 1 0 13.42v2.06a9 9 0 0 0 0-17.54z';

function h(doc, tag, attrs, ...children) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function icon(doc, path) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'cap-icon');
  const p = doc.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  svg.appendChild(p);
  return svg;
}

export class Widget {
  constructor(config, doc = document) {
    this.config = config;
    this.doc = doc;
    this.t = strings(config.lang);
    this.store = new SessionStore(config.storageKey);
    this.sessionId = null;
    this.greetOnConfirm = false; // send the hidden init payload at the first session_confirm
    this.neverSynced = false; // the session was created here: the server has nothing yet
    this.conn = null;
    this.connState = 'idle';
    this.queue = []; // user entries waiting to be sent, in order
    this.inflight = null; // the entry Rasa is answering
    this.sent = []; // entries counted in counts.user, oldest first
    this.counts = { user: 0, bot: 0 }; // this conversation's messages the transcript accounts for
    this.syncing = false;
    this.resync = false;
    this.activeGroups = [];
    this.isOpen = false;
    this.easyRead = false; // the "Facile à lire" switch, kept with the conversation
    this.reader = new Reader(window);
    this.timers = {};
  }

  // ---------------------------------------------------------------- DOM

  mount(parent) {
    const doc = this.doc;
    const t = this.t;
    const title = this.config.title;
    this.host = h(doc, 'div', { id: 'cap-reconversion-widget', lang: this.config.lang });
    const shadow = this.host.attachShadow({ mode: 'open' });
    // A top-level complementary landmark: the launcher is not left outside any landmark.
    const root = h(doc, 'aside', { class: 'cap-root', 'aria-label': format(t.widgetLabel, { title }) });
    root.style.setProperty('--cap-primary', this.config.primaryColor);
    root.style.visibility = 'hidden'; // until the stylesheet is there (no flash of raw markup)
    const css = h(doc, 'link', { rel: 'stylesheet', href: this.config.cssUrl });
    const reveal = () => {
      root.style.visibility = '';
    };
    css.addEventListener('load', reveal, { once: true });
    css.addEventListener('error', reveal, { once: true });
    setTimeout(reveal, CSS_TIMEOUT_MS);

    this.launcher = h(
      doc,
      'button',
      { type: 'button', class: 'cap-launcher', 'aria-haspopup': 'dialog', 'aria-controls': 'cap-panel' },
      icon(doc, ICON_CHAT),
      h(doc, 'span', { text: t.launcher }),
    );

    this.titleEl = h(doc, 'h2', { id: 'cap-title', class: 'cap-title', text: title });
    this.eraseBtn = h(doc, 'button', { type: 'button', class: 'cap-btn cap-btn--header cap-erase', text: t.erase });
    this.closeBtn = h(
      doc,
      'button',
      { type: 'button', class: 'cap-btn cap-btn--header cap-close' },
      t.close,
      h(doc, 'span', { class: 'cap-sr', text: t.closeHidden }),
    );
    // A real toggle (aria-pressed); the track and knob show its state without relying on colour.
    this.easyBtn = h(
      doc,
      'button',
      { type: 'button', class: 'cap-btn cap-btn--header cap-switch', 'aria-pressed': 'false' },
      h(doc, 'span', { class: 'cap-switch-track', 'aria-hidden': 'true' }, h(doc, 'span', { class: 'cap-switch-knob' })),
      h(doc, 'span', { text: t.easyRead }),
    );
    // Title and "Fermer" on the first row, "Facile à lire" and "Effacer ma conversation" under
    // them (they wrap at 320 px).
    const header = h(
      doc,
      'div',
      { class: 'cap-header' },
      this.titleEl,
      this.closeBtn,
      h(doc, 'div', { class: 'cap-header-actions' }, this.easyBtn, this.eraseBtn),
    );

    const notice = h(doc, 'p', { class: 'cap-notice', text: t.notice + ' ' });
    if (this.config.privacyUrl) notice.appendChild(makeLink(doc, this.config.privacyUrl, t.privacyLink, t));

    this.confirmYes = h(doc, 'button', { type: 'button', class: 'cap-btn cap-btn--danger', text: t.eraseYes });
    this.confirmNo = h(doc, 'button', { type: 'button', class: 'cap-btn cap-btn--secondary', text: t.eraseNo });
    this.confirmBox = h(
      doc,
      'div',
      { class: 'cap-confirm', role: 'group', 'aria-labelledby': 'cap-confirm-q', hidden: true },
      h(doc, 'p', { id: 'cap-confirm-q', text: t.eraseQuestion }),
      h(doc, 'div', { class: 'cap-confirm-actions' }, this.confirmYes, this.confirmNo),
    );

    // Each message is appended once and never re-rendered: screen readers announce additions only.
    this.log = h(doc, 'div', {
      class: 'cap-log',
      role: 'log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-atomic': 'false',
      'aria-label': t.logLabel,
    });
    // The notice scrolls away with the messages (room matters at 320 px or 200 % zoom). The
    // scrolling region takes keyboard focus itself, so it can be scrolled without a mouse;
    // the bubbles never do.
    this.scroller = h(
      doc,
      'div',
      { class: 'cap-scroll', role: 'region', 'aria-label': t.scrollLabel, tabindex: '0' },
      notice,
      this.log,
    );
    this.typingEl = h(doc, 'p', { class: 'cap-typing', role: 'status' });
    this.statusEl = h(doc, 'p', { class: 'cap-status', role: 'status' });

    this.input = h(doc, 'textarea', {
      id: 'cap-input',
      class: 'cap-input',
      rows: '2',
      maxlength: String(MAX_INPUT),
      placeholder: t.inputPlaceholder,
      'aria-describedby': 'cap-hint',
      autocomplete: 'off',
    });
    this.sendBtn = h(doc, 'button', { type: 'submit', class: 'cap-btn cap-send', text: t.send });
    this.form = h(
      doc,
      'form',
      { class: 'cap-form', novalidate: true },
      h(doc, 'label', { for: 'cap-input', class: 'cap-label', text: t.inputLabel }),
      this.input,
      h(doc, 'p', { id: 'cap-hint', class: 'cap-sr', text: t.inputHint }),
      this.sendBtn,
    );

    this.panel = h(
      doc,
      'section',
      { id: 'cap-panel', class: 'cap-panel', role: 'dialog', 'aria-labelledby': 'cap-title', hidden: true },
      header,
      this.confirmBox,
      this.scroller,
      this.typingEl,
      this.statusEl,
      this.form,
    );

    root.append(this.launcher, this.panel);
    shadow.append(css, root);
    parent.appendChild(this.host);
    this._bind();

    // Reopen after a reload or a page change if the person left the chat open. Reading the
    // storage stores nothing; focus stays where the page puts it.
    const saved = this.store.load();
    this._setEasyRead(Boolean(saved && saved.easyRead));
    if (saved && saved.open) this.open({ focus: false });
  }

  _bind() {
    this.launcher.addEventListener('click', () => this.open());
    this.closeBtn.addEventListener('click', () => this.close());
    this.eraseBtn.addEventListener('click', () => this._askErase());
    this.easyBtn.addEventListener('click', () => this._toggleEasyRead());
    this.confirmNo.addEventListener('click', () => this._cancelErase());
    this.confirmYes.addEventListener('click', () => this._erase());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this._submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this._submit();
      }
    });
    this.panel.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      if (!this.confirmBox.hidden) this._cancelErase();
      else this.close();
    });
    window.addEventListener('online', () => this.conn && this.conn.nudge());
    // Erased from another tab: forget it here too.
    window.addEventListener('storage', (event) => {
      if (event.key === this.config.storageKey && event.newValue === null && this.sessionId) {
        this._reset();
        this._systemMessage(this.t.erased);
      }
    });
  }

  // ---------------------------------------------------------------- open / close

  open({ focus = true } = {}) {
    if (!this.isOpen) {
      this.isOpen = true;
      this.panel.hidden = false;
      this.launcher.hidden = true;
      this._ensureSession({ greet: true });
      this._scrollToEnd();
    }
    if (focus) this.input.focus();
  }

  close() {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.reader.stop();
    this._hideConfirm();
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this._save();
    this.launcher.focus();
  }

  // ---------------------------------------------------------------- session

  _ensureSession({ greet }) {
    if (!this.sessionId) {
      const saved = this.store.load();
      if (saved) {
        this.sessionId = saved.id;
        this._setEasyRead(saved.easyRead);
        this.neverSynced = false;
        this.greetOnConfirm = false;
      } else {
        // Issued by the server at the first session_confirm, now that the person has opened the
        // chat (or written after erasing).
        this.sessionId = null;
        this.neverSynced = true;
        this.greetOnConfirm = greet && Boolean(this.config.initPayload);
      }
    }
    this._save();
    if (!this.conn) {
      this.conn = new Connection({
        url: this.config.serverOrigin,
        path: this.config.socketPath,
        sessionId: this.sessionId,
        onSession: (token) => this._onSession(token),
        onConfirm: () => this._onConfirm(),
        onBotMessage: (message) => this._onBotMessage(message),
        onState: (state) => this._onConnState(state),
      });
      this.conn.start();
    }
  }

  _onConnState(state) {
    const previous = this.connState;
    this.connState = state;
    clearTimeout(this.timers.connecting);
    if (state === 'lost') {
      this._hideTyping();
      if (previous !== 'lost') this._setStatus(this.t.connectionLost);
      for (const entry of this.queue) this._markPending(entry);
    } else if (state === 'connecting') {
      this.timers.connecting = setTimeout(() => {
        if (this.connState === 'connecting') this._setStatus(this.t.connecting);
      }, CONNECTING_DELAY_MS);
    }
  }

  /** The server issued a session: a new conversation, or a fresh one when it refused ours. */
  _onSession(token) {
    if (this.sessionId && this.sessionId !== token) {
      this.neverSynced = true;
      // The server has forgotten the mode with the conversation: ask for it again.
      if (this.easyRead) this.queue.unshift({ payload: EASY_READ_ON, hidden: true, node: null, state: 'queued' });
    }
    this.sessionId = token;
    this._save();
  }

  _save() {
    if (this.sessionId) this.store.save({ id: this.sessionId, open: this.isOpen, easyRead: this.easyRead });
  }

  async _onConfirm() {
    if (this.syncing) {
      // Confirmed again (quick reconnection) while reading the history: read it once more after.
      this.resync = true;
      return;
    }
    const wasLost = this.connState === 'lost';
    const wasConnecting = this.connState === 'connecting';
    this.connState = 'ready';
    clearTimeout(this.timers.connecting);
    if (wasLost) this._setStatus(this.t.connectionBack, { clearAfter: STATUS_CLEAR_MS });
    else if (wasConnecting && this.statusEl.textContent === this.t.connecting) this._setStatus('');
    this.syncing = true;
    const sessionId = this.sessionId;
    try {
      if (!this.neverSynced) {
        const restoring = this.counts.user === 0 && this.counts.bot === 0;
        if (restoring) this._setStatus(this.t.restoring);
        const history = await fetchHistory(this.config.serverBase, sessionId);
        if (sessionId !== this.sessionId) return; // erased meanwhile
        if (restoring && this.statusEl.textContent === this.t.restoring) this._setStatus('');
        this._reconcile(history);
      }
    } catch (error) {
      console.warn('[cap-widget] could not read the conversation history:', error.message);
      if (this.statusEl.textContent === this.t.restoring) this._setStatus('');
    } finally {
      if (sessionId === this.sessionId) {
        this.syncing = false;
        this.neverSynced = false;
        if (this.greetOnConfirm) {
          this.greetOnConfirm = false;
          this.queue.unshift({ payload: this.config.initPayload, hidden: true, node: null, state: 'queued' });
        }
        for (const entry of this.queue) this._clearPending(entry);
        if (this.resync) {
          this.resync = false;
          this._onConfirm();
        } else {
          this._flush();
        }
      }
    }
  }

  /** Align the transcript with the server's copy of the conversation. */
  _reconcile(history) {
    const serverUsers = Number(history.counts.user) || 0;
    const serverBots = Number(history.counts.bot) || 0;
    if (this.counts.user === 0 && this.counts.bot === 0) {
      this._restore(history.messages);
      this.counts = { user: serverUsers, bot: serverBots };
      return;
    }
    // Messages sent just before the drop that never reached the server go out again, first.
    const missing = Math.min(this.counts.user - serverUsers, this.sent.length);
    if (missing > 0) {
      const lost = this.sent.splice(this.sent.length - missing, missing);
      this.counts.user -= missing;
      for (const entry of lost) entry.state = 'queued';
      this.queue = [...lost, ...this.queue];
    }
    // Answers sent while this page was offline.
    if (serverBots > this.counts.bot) {
      const bots = history.messages.filter((m) => m.sender === 'bot');
      for (const message of bots.slice(-(serverBots - this.counts.bot))) this._renderBot(message, true);
      this.counts.bot = serverBots;
    }
  }

  /** Show a conversation read back from the server without announcing every message again. */
  _restore(messages) {
    if (!messages.length) return;
    this.log.setAttribute('aria-live', 'off');
    const lastUser = messages.map((m) => m.sender).lastIndexOf('user');
    const frag = this.doc.createDocumentFragment();
    messages.forEach((message, index) => {
      if (message.sender === 'bot') {
        const node = this._botNode(message, index > lastUser);
        if (node) frag.appendChild(node);
      } else if (!message.hidden && message.text) {
        frag.appendChild(this._userNode(message.text));
      }
    });
    this.log.insertBefore(frag, this.log.firstChild);
    setTimeout(() => this.log.setAttribute('aria-live', 'polite'), 0);
    this._scrollToEnd();
  }

  // ---------------------------------------------------------------- sending

  _submit() {
    const text = this.input.value.trim();
    if (!text) {
      this._setStatus(this.t.emptyMessage, { clearAfter: STATUS_CLEAR_MS });
      this.input.focus();
      return;
    }
    this.input.value = '';
    this._sendUser(text, text.slice(0, MAX_INPUT));
  }

  _choose(button) {
    this._sendUser(button.title, button.payload);
    this.input.focus();
  }

  /** The "Facile à lire" switch: tells the assistant (hidden payload) and says so in a short note. */
  _toggleEasyRead() {
    this._setEasyRead(!this.easyRead);
    this._ensureSession({ greet: false });
    this._save();
    this._systemMessage(this.easyRead ? this.t.easyReadOn : this.t.easyReadOff);
    const entry = { payload: this.easyRead ? EASY_READ_ON : EASY_READ_OFF, hidden: true, node: null, state: 'queued' };
    this.queue.push(entry);
    this._flush();
  }

  _setEasyRead(on) {
    this.easyRead = on === true;
    this.easyBtn.setAttribute('aria-pressed', String(this.easyRead));
  }

  _sendUser(display, payload) {
    this._clearGroups();
    this._ensureSession({ greet: false });
    const node = this._userNode(display);
    this._append(node);
    const entry = { payload, hidden: false, node, state: 'queued' };
    this.queue.push(entry);
    if (this.connState === 'lost') this._markPending(entry);
    this._flush();
  }

  _flush() {
    if (this.inflight || this.syncing || !this.conn || !this.conn.ready) return;
    const entry = this.queue.shift();
    if (!entry) return;
    this.inflight = entry;
    entry.state = 'sent';
    this.sent.push(entry);
    this.counts.user += 1;
    this._clearPending(entry);
    this._showTyping();
    this.conn.send(entry.payload, () => {
      if (this.inflight !== entry) return; // conversation erased meanwhile
      this.inflight = null;
      this._hideTyping();
      this._flush();
    });
  }

  _markPending(entry) {
    if (!entry.node || entry.pendingNote) return;
    entry.pendingNote = h(this.doc, 'span', { class: 'cap-pending', text: this.t.pending });
    entry.node.querySelector('.cap-bubble').appendChild(entry.pendingNote);
  }

  _clearPending(entry) {
    if (entry.pendingNote) {
      entry.pendingNote.remove();
      entry.pendingNote = null;
    }
  }

  // ---------------------------------------------------------------- receiving

  _onBotMessage(message) {
    if (this.syncing) return; // the history being read already holds it
    // Counted even when there is nothing to show: the server counts every emitted message.
    this.counts.bot += 1;
    this._renderBot(message, true);
  }

  _renderBot(message, withButtons) {
    const node = this._botNode(message, withButtons, { announce: true });
    if (!node) return false;
    this._append(node);
    return true;
  }

  _userNode(text) {
    const doc = this.doc;
    const bubble = h(doc, 'div', { class: 'cap-bubble' }, h(doc, 'span', { class: 'cap-sr', text: this.t.you + ' ' }));
    bubble.appendChild(renderText(doc, text, this.t));
    return h(doc, 'div', { class: 'cap-msg cap-msg--user' }, bubble);
  }

  _botNode(message, withButtons, { announce = false } = {}) {
    const doc = this.doc;
    const t = this.t;
    const bubble = h(doc, 'div', { class: 'cap-bubble' });
    let content = false;
    if (typeof message.text === 'string' && message.text.trim()) {
      bubble.appendChild(renderText(doc, message.text, t));
      content = true;
    }
    const attachment = message.attachment;
    if (attachment && typeof attachment === 'object') {
      const payload = attachment.payload || {};
      if (attachment.type === 'image' && safeUrl(payload.src)) {
        bubble.appendChild(h(doc, 'p', {}, makeLink(doc, safeUrl(payload.src), payload.alt || t.imageLink, t)));
        content = true;
      } else if (payload.template_type === 'generic' && payload.elements) {
        const elements = Array.isArray(payload.elements) ? payload.elements : [payload.elements];
        for (const element of elements) {
          if (element && element.title) {
            bubble.appendChild(h(doc, 'p', {}, h(doc, 'strong', { text: String(element.title) })));
            if (element.subtitle) bubble.appendChild(renderText(doc, String(element.subtitle), t));
            content = true;
          }
        }
      }
    }
    // Links given as data (custom payload `links: [{title, url}]`) and URL buttons.
    const links = [];
    if (Array.isArray(message.links)) {
      for (const link of message.links) {
        const href = link && safeUrl(link.url);
        if (href && link.title) links.push({ title: String(link.title), href });
      }
    }
    const actions = [];
    for (const button of buttonsOf(message)) {
      const href = safeUrl(button.url || (/^(https?:|mailto:|tel:)/i.test(button.payload) ? button.payload : ''));
      if (href) links.push({ title: button.title, href });
      else actions.push(button);
    }
    if (links.length) {
      const list = h(doc, 'ul', { class: 'cap-links', 'aria-label': t.links });
      for (const link of links) list.appendChild(h(doc, 'li', {}, makeLink(doc, link.href, link.title, t)));
      bubble.appendChild(list);
      content = true;
    }
    if (!content && !(withButtons && actions.length)) return null;
    const node = h(doc, 'div', { class: 'cap-msg cap-msg--bot' });
    if (content) {
      bubble.insertBefore(
        h(doc, 'span', { class: 'cap-sr', text: format(t.bot, { title: this.config.title }) + ' ' }),
        bubble.firstChild,
      );
      node.appendChild(bubble);
      if (this.reader.available) node.appendChild(this._listenTools(bubble, announce));
    }
    if (withButtons && actions.length) {
      const group = h(doc, 'div', { class: 'cap-quick', role: 'group', 'aria-label': t.quickReplies });
      for (const action of actions) {
        const btn = h(doc, 'button', { type: 'button', class: 'cap-btn cap-quick-btn', text: action.title });
        btn.addEventListener('click', () => this._choose(action));
        group.appendChild(btn);
      }
      node.appendChild(group);
      this.activeGroups.push(group);
    }
    return node;
  }

  /**
   * The "Écouter" control of one answer (only where the browser can speak). It sits in an
   * aria-live="off" box and, for a new answer, stays invisible (so out of the accessibility tree)
   * for a moment: the live region announces the answer, not "Écouter ce message" after each one.
   * Its room is kept meanwhile, so nothing moves when it appears.
   */
  _listenTools(bubble, announce) {
    const doc = this.doc;
    const t = this.t;
    const label = h(doc, 'span', { text: t.listen });
    const btn = h(
      doc,
      'button',
      { type: 'button', class: 'cap-btn cap-listen', 'aria-label': t.listenLabel },
      icon(doc, ICON_SPEAKER),
      label,
    );
    const show = (playing) => {
      label.textContent = playing ? t.listenStop : t.listen;
      btn.setAttribute('aria-label', playing ? t.listenStopLabel : t.listenLabel);
      btn.classList.toggle('cap-listen--on', playing);
    };
    btn.addEventListener('click', () => this.reader.toggle(spokenText(bubble), show));
    const tools = h(doc, 'div', { class: 'cap-tools', 'aria-live': 'off' }, btn);
    if (announce) {
      tools.classList.add('cap-tools--later');
      setTimeout(() => tools.classList.remove('cap-tools--later'), LISTEN_REVEAL_MS);
    }
    return tools;
  }

  _clearGroups() {
    for (const group of this.activeGroups) group.remove();
    this.activeGroups = [];
  }

  _systemMessage(text) {
    this._append(h(this.doc, 'p', { class: 'cap-msg cap-msg--system', text }));
  }

  _append(node) {
    this.log.appendChild(node);
    this._scrollToEnd(node);
  }

  _scrollToEnd(node) {
    const box = this.scroller;
    // A long answer is shown from its start; anything else scrolls to the bottom.
    // (.cap-scroll is positioned, so offsetTop is measured from its top.)
    if (node && node.offsetHeight > box.clientHeight) box.scrollTop = node.offsetTop;
    else box.scrollTop = box.scrollHeight;
  }

  // ---------------------------------------------------------------- status lines

  _setStatus(text, { clearAfter = 0 } = {}) {
    clearTimeout(this.timers.status);
    this.statusEl.textContent = text;
    if (clearAfter) {
      this.timers.status = setTimeout(() => {
        if (this.statusEl.textContent === text) this.statusEl.textContent = '';
      }, clearAfter);
    }
  }

  _showTyping() {
    clearTimeout(this.timers.typing);
    this.timers.typing = setTimeout(() => {
      if (!this.inflight) return;
      this.typingEl.replaceChildren(
        h(this.doc, 'span', { class: 'cap-dots', 'aria-hidden': 'true' }, h(this.doc, 'span'), h(this.doc, 'span'), h(this.doc, 'span')),
        this.t.typing,
      );
    }, TYPING_DELAY_MS);
  }

  _hideTyping() {
    clearTimeout(this.timers.typing);
    this.typingEl.replaceChildren();
  }

  // ---------------------------------------------------------------- erase

  _askErase() {
    this.confirmBox.hidden = false;
    this.confirmYes.disabled = false;
    this.confirmNo.focus();
  }

  _hideConfirm() {
    this.confirmBox.hidden = true;
  }

  _cancelErase() {
    this._hideConfirm();
    this.eraseBtn.focus();
  }

  async _erase() {
    this.confirmYes.disabled = true;
    this._setStatus(this.t.erasing);
    try {
      if (this.sessionId) await eraseConversation(this.config.serverBase, this.sessionId);
    } catch (error) {
      console.warn('[cap-widget] erase failed:', error.message);
      this.confirmYes.disabled = false;
      this._setStatus(this.t.eraseFailed);
      return;
    }
    this._reset();
    this._hideConfirm();
    this._setStatus('');
    this._systemMessage(this.t.erased);
    this.input.focus();
  }

  /** Forget the conversation in this page and in the browser's storage. */
  _reset() {
    this.reader.stop();
    this._setEasyRead(false);
    if (this.conn) this.conn.stop();
    this.conn = null;
    this.connState = 'idle';
    this.store.clear();
    this.sessionId = null;
    this.greetOnConfirm = false;
    this.neverSynced = false;
    this.queue = [];
    this.inflight = null;
    this.sent = [];
    this.counts = { user: 0, bot: 0 };
    this.syncing = false;
    this.resync = false;
    this.activeGroups = [];
    this._hideTyping();
    this.log.replaceChildren();
  }
}

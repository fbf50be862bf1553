// Turns bot and user text into DOM nodes. Text is never parsed as HTML: every piece goes through
// createTextNode / setAttribute, and links are kept only for http(s), mailto and tel.

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

const INLINE_RE = new RegExp(
  [
    String.raw`\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)`, // [label](url)
    String.raw`\*\*([^*\n]{1,500})\*\*`, // **bold**
    String.raw`(https?:\/\/[^\s<>"']{1,2000})`, // bare URL
    String.raw`([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})`, // e-mail
  ].join('|'),
  'g',
);

const LIST_RE = /^\s*(?:[-•*–]|(\d{1,3})[.)])\s+(.*)$/;

/** The URL if it is absolute and uses an allowed protocol, otherwise null. */
export function safeUrl(raw) {
  if (typeof raw !== 'string' || raw.length > 2000) return null;
  let url;
  try {
    url = new URL(raw.trim());
  } catch (e) {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  return url.href;
}

/** `<a>` for a safe URL; web links open a new window and say so. */
export function makeLink(doc, href, label, t) {
  const a = doc.createElement('a');
  a.setAttribute('href', href);
  a.textContent = label;
  if (/^https?:/i.test(href)) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
    const hint = doc.createElement('span');
    hint.className = 'cap-sr';
    hint.textContent = t.newWindow;
    a.appendChild(hint);
  }
  return a;
}

function splitTrailingPunctuation(url) {
  const m = /[.,;:!?)\]»]+$/.exec(url);
  if (!m) return [url, ''];
  return [url.slice(0, m.index), m[0]];
}

/** Inline formatting of one line into `parent`. */
export function appendInline(doc, parent, text, t) {
  let last = 0;
  INLINE_RE.lastIndex = 0;
  let m;
  while ((m = INLINE_RE.exec(text)) !== null) {
    if (m.index > last) parent.appendChild(doc.createTextNode(text.slice(last, m.index)));
    let trailing = '';
    if (m[1] !== undefined) {
      const href = safeUrl(m[2]);
      parent.appendChild(href ? makeLink(doc, href, m[1], t) : doc.createTextNode(m[1]));
    } else if (m[3] !== undefined) {
      const strong = doc.createElement('strong');
      strong.textContent = m[3];
      parent.appendChild(strong);
    } else if (m[4] !== undefined) {
      const [url, rest] = splitTrailingPunctuation(m[4]);
      trailing = rest;
      const href = safeUrl(url);
      parent.appendChild(href ? makeLink(doc, href, url, t) : doc.createTextNode(url));
    } else if (m[5] !== undefined) {
      const href = safeUrl(`mailto:${m[5]}`);
      parent.appendChild(href ? makeLink(doc, href, m[5], t) : doc.createTextNode(m[5]));
    }
    if (trailing) parent.appendChild(doc.createTextNode(trailing));
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
}

/**
 * A fragment with paragraphs and lists: lines starting with "- ", "• ", "* " become a <ul>,
 * lines starting with "1. " an <ol>; other consecutive lines form a paragraph.
 */
export function renderText(doc, text, t) {
  const frag = doc.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  let para = null;
  let list = null;
  for (const line of lines) {
    const item = LIST_RE.exec(line);
    if (item) {
      para = null;
      const tag = item[1] !== undefined ? 'ol' : 'ul';
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = doc.createElement(tag);
        frag.appendChild(list);
      }
      const li = doc.createElement('li');
      appendInline(doc, li, item[2], t);
      list.appendChild(li);
    } else if (line.trim() === '') {
      para = null;
      list = null;
    } else {
      list = null;
      if (para) {
        para.appendChild(doc.createElement('br'));
      } else {
        para = doc.createElement('p');
        frag.appendChild(para);
      }
      appendInline(doc, para, line, t);
    }
  }
  return frag;
}

/** Buttons of a bot message in the socket.io shapes: quick_replies or buttons, [{title, payload}]. */
export function buttonsOf(message) {
  const raw = (message && (message.quick_replies || message.buttons)) || [];
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b) => b && (typeof b.title === 'string' || typeof b.title === 'number'))
    .map((b) => ({
      title: String(b.title),
      payload: typeof b.payload === 'string' ? b.payload : b.url || String(b.title),
      url: typeof b.url === 'string' ? b.url : null,
      type: b.type || null,
    }));
}

/** What "Écouter" reads: the bubble's text without the screen-reader-only bits, one line per block. */
export function spokenText(bubble) {
  const copy = bubble.cloneNode(true);
  copy.querySelectorAll('.cap-sr').forEach((node) => node.remove());
  copy.querySelectorAll('br').forEach((node) => node.replaceWith('\n'));
  copy.querySelectorAll('p, li').forEach((node) => node.append('\n'));
  return copy.textContent.replace(/[ \t]*\n\s*/g, '\n').trim();
}

// Reads the embed attributes of the <script> tag.
import { accessibleColor } from './contrast.js';

export const DEFAULT_PRIMARY = '#000091';
// Backgrounds the primary colour is drawn on or under: white (header text, user bubbles,
// buttons) and the bot bubble / page tint, see widget.css.
export const SURFACES = ['#ffffff', '#f1f1f6'];

function httpUrl(value) {
  if (!value) return null;
  try {
    const u = new URL(value, window.location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch (e) {
    return null;
  }
}

/** The widget configuration from `data-*` attributes, with safe defaults. */
export function readConfig(script) {
  const d = (script && script.dataset) || {};
  const scriptUrl = httpUrl(script && script.src) || new URL('cap-widget.js', window.location.href);
  let server = httpUrl(d.serverUrl);
  if (!server) {
    console.error('[cap-widget] data-server-url is missing or invalid; using this page\'s origin.');
    server = new URL(window.location.origin);
  }
  const prefix = server.pathname.replace(/\/+$/, '');
  const color = accessibleColor(d.primaryColor || DEFAULT_PRIMARY, SURFACES, DEFAULT_PRIMARY);
  if (!color.valid) {
    console.warn(`[cap-widget] data-primary-color "${d.primaryColor}" is not a #rgb/#rrggbb colour; using ${color.color}.`);
  } else if (color.adjusted) {
    console.warn(`[cap-widget] data-primary-color "${d.primaryColor}" fails the 4.5:1 contrast ratio; darkened to ${color.color}.`);
  }
  const privacy = httpUrl(d.privacyUrl);
  const cssUrl = httpUrl(d.cssUrl) || new URL(scriptUrl.pathname.replace(/\.js$/, '.css') + scriptUrl.search, scriptUrl);
  return {
    serverOrigin: server.origin,
    serverBase: `${server.origin}${prefix}/`,
    socketPath: d.socketPath || `${prefix}/socket.io`,
    title: (d.title || 'Cap Reconversion').slice(0, 80),
    lang: d.lang || 'fr',
    primaryColor: color.color,
    initPayload: d.initPayload === undefined ? '/greet' : d.initPayload,
    privacyUrl: privacy ? privacy.href : null,
    cssUrl: cssUrl.href,
    storageKey: 'cap-reconversion:conversation',
  };
}

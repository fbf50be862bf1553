// WCAG 2.1 contrast helpers: the configurable colour must keep text readable (1.4.3, 4.5:1).

/** `[r, g, b]` (0-255) of a `#rgb` / `#rrggbb` colour, or null. */
export function parseHex(value) {
  if (typeof value !== 'string') return null;
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m) return null;
  let hex = m[1];
  if (hex.length === 3) hex = hex.split('').map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

export function toHex(rgb) {
  return '#' + rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
}

function channel(v) {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function luminance(rgb) {
  return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

export function contrastRatio(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * A colour usable as text on every `backgrounds` colour and as a background under white text:
 * `wanted` itself when it passes, otherwise `wanted` darkened step by step until it does.
 * Returns `{ color, adjusted, valid }`.
 */
export function accessibleColor(wanted, backgrounds, fallback, min = 4.5) {
  let rgb = parseHex(wanted);
  const valid = rgb !== null;
  if (!valid) rgb = parseHex(fallback);
  const bgs = backgrounds.map(parseHex);
  const passes = (c) => bgs.every((bg) => contrastRatio(c, bg) >= min);
  if (passes(rgb)) return { color: toHex(rgb), adjusted: false, valid };
  for (let step = 1; step <= 20; step += 1) {
    const k = 1 - step * 0.05;
    const darker = rgb.map((v) => v * k);
    if (passes(darker)) return { color: toHex(darker), adjusted: true, valid };
  }
  return { color: '#000000', adjusted: true, valid };
}

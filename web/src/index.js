// Entry point: `<script src=".../cap-widget.js" data-server-url="…" defer></script>`.
import { readConfig } from './config.js';
import { Widget } from './widget.js';

// Captured now: document.currentScript is only set while this script runs.
const script = document.currentScript;

function boot() {
  if (window.CapReconversion && window.CapReconversion.widget) return; // embedded twice
  const widget = new Widget(readConfig(script));
  widget.mount(document.body);
  window.CapReconversion = {
    widget,
    open: () => widget.open(),
    close: () => widget.close(),
  };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();

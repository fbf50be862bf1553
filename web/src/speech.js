// Read aloud with the browser's own speech synthesis (Web Speech API), in French. Nothing is sent
// anywhere by the widget; nothing plays unless the person presses "Écouter"; a second press stops.
// Browsers without speech synthesis get no control at all.

/** The browser's speech synthesis, or null when it has none (or hides it). */
export function speechSynthesisOf(win) {
  try {
    const synth = win.speechSynthesis;
    if (synth && typeof synth.speak === 'function' && typeof win.SpeechSynthesisUtterance === 'function') return synth;
  } catch (e) {
    /* a browser that throws on access: no read-aloud */
  }
  return null;
}

/** A French voice, France first, or null (then the utterance's `lang` lets the browser choose). */
export function frenchVoice(synth) {
  let voices = [];
  try {
    voices = synth.getVoices() || [];
  } catch (e) {
    return null;
  }
  const lang = (v) => String((v && v.lang) || '').replace('_', '-').toLowerCase();
  return voices.find((v) => lang(v) === 'fr-fr') || voices.find((v) => lang(v).startsWith('fr')) || null;
}

/** One message read at a time; `onChange(playing)` tells the control that started it. */
export class Reader {
  constructor(win) {
    this.win = win;
    this.synth = speechSynthesisOf(win);
    this.current = null; // { utterance, onChange }
  }

  get available() {
    return Boolean(this.synth);
  }

  /** Start reading `text`, or stop if this control is the one reading. */
  toggle(text, onChange) {
    const wasMine = this.current && this.current.onChange === onChange;
    this.stop();
    if (wasMine || !this.synth || !text) return;
    const utterance = new this.win.SpeechSynthesisUtterance(text);
    utterance.lang = 'fr-FR';
    const voice = frenchVoice(this.synth);
    if (voice) utterance.voice = voice;
    const entry = { utterance, onChange };
    const finished = () => {
      if (this.current !== entry) return;
      this.current = null;
      onChange(false);
    };
    utterance.addEventListener('end', finished);
    utterance.addEventListener('error', finished);
    this.current = entry;
    onChange(true);
    this.synth.speak(utterance);
  }

  /** Stop whatever is being read (closing the chat, erasing it, another "Écouter"). */
  stop() {
    const entry = this.current;
    this.current = null;
    if (entry) entry.onChange(false);
    if (this.synth && entry) {
      try {
        this.synth.cancel();
      } catch (e) {
        /* nothing to stop */
      }
    }
  }
}

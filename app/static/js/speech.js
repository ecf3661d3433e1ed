// Read-aloud with the device's own speech (the browser's speech synthesis: no network, no
// server), in the study's language. Every speaker button carries data-speak; the page says
// what each one reads. Where the device has no voice for the language, the button says so.

/** The device's voice for a language ("es" matches "es-ES"), or null. */
export function voiceFor(lang) {
  if (!("speechSynthesis" in window)) return null;
  const want = String(lang || "en").toLowerCase();
  const voices = window.speechSynthesis.getVoices() || [];
  const base = want.split("-")[0];
  return voices.find((v) => String(v.lang).toLowerCase() === want)
    || voices.find((v) => String(v.lang).toLowerCase().split(/[-_]/)[0] === base) || null;
}

export class ReadAloud {
  constructor({ lang, textFor, onNoVoice, onVoice }) {
    Object.assign(this, { lang, textFor, onNoVoice, onVoice });
    // Some browsers load their voices only when first asked, and say so with voiceschanged:
    // a "no voice" said too early is then taken back.
    if ("speechSynthesis" in window) {
      window.speechSynthesis.getVoices();
      window.speechSynthesis.addEventListener?.("voiceschanged", () => {
        if (!voiceFor(this.lang)) return;
        for (const b of document.querySelectorAll(".speak.no-voice")) b.classList.remove("no-voice");
        this.onVoice?.();
      });
    }
    document.addEventListener("click", (e) => {
      const b = e.target.closest("[data-speak]");
      if (!b) return;
      e.preventDefault();
      e.stopPropagation();
      this.speak(this.textFor(b.dataset.speak), b);
    }, true);
  }

  /** Speak text; returns false (and says so) where the device has no voice. */
  speak(text, button) {
    const voice = voiceFor(this.lang);
    if (!voice || !("SpeechSynthesisUtterance" in window)) {
      button?.classList.add("no-voice");
      this.onNoVoice();
      return false;
    }
    const synth = window.speechSynthesis;
    synth.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = this.lang;
    u.voice = voice;
    synth.speak(u);
    return true;
  }
}

const SVG = "http://www.w3.org/2000/svg";
const SPEAKER = "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z"
  + "M14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z";

/** A speaker symbol (drawn, so it shows on devices without an emoji font). */
export function speakerIcon() {
  const svg = document.createElementNS(SVG, "svg");
  for (const [k, v] of [["viewBox", "0 0 24 24"], ["width", "24"], ["height", "24"],
    ["aria-hidden", "true"], ["focusable", "false"], ["class", "icon"]]) svg.setAttribute(k, v);
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", SPEAKER);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

/** A speaker button; withLabel puts the words beside the symbol (instructions, dock). */
export function speakButton(key, label, { pointerOnly = false, withLabel = false } = {}) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = withLabel ? "speak btn" : "speak";
  b.dataset.speak = key;
  const icon = speakerIcon();
  const words = document.createElement("span");
  words.className = withLabel ? "speak-label" : "visually-hidden";
  words.textContent = label;
  b.append(icon, words);
  if (pointerOnly) {
    // On the cards of the tray and board: for sighted readers who tap; screen readers read the
    // card itself, and keyboard users have the enlarged card's button.
    b.tabIndex = -1;
    b.setAttribute("aria-hidden", "true");
  }
  return b;
}

// Read-aloud with the device's own speech (the browser's speech synthesis: no network, no
// server), in the study's language. Every speaker button carries data-speak; the page says
// what each one reads, and loads this module on the first press of one (a study that does not
// read aloud never loads it). Where the device has no voice for the language, the button says so.

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
  constructor({ lang, onNoVoice, onVoice }) {
    Object.assign(this, { lang, onNoVoice, onVoice });
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

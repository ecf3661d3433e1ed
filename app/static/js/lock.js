// Privacy on a shared tablet: once the device has been idle longer than the study's limit, the
// sort page hides everything of the sort and asks for the participant's resume code before the
// next touch can do anything. The time of the last touch is kept on the device
// ("qsort:active:<storage key>"), so the offline shell knows it too; the server keeps its own
// (a reload past the limit gets the server's resume page instead).

const ACTIVE = "qsort:active:";
const CHECK_EVERY_MS = 15000;
const WRITE_EVERY_MS = 5000;

export class IdleLock {
  /** fresh: the server has just let this device in (count from now, not from the stored time). */
  constructor({ limitMs, storageKey, fresh, root, onLock, onUnlock }) {
    Object.assign(this, { limitMs, root, onLock, onUnlock });
    this.key = ACTIVE + storageKey;
    this.locked = false;
    this.saved = 0;
    const stored = Number(localStorage.getItem(this.key)) || 0;
    this.last = fresh || !stored ? Date.now() : stored;
    this.write();
    for (const type of ["pointerdown", "keydown", "click", "input"]) {
      document.addEventListener(type, (e) => this.onInput(e), true);
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.check();
    });
    setInterval(() => this.check(), CHECK_EVERY_MS);
  }

  idle() { return Date.now() - this.last > this.limitMs; }

  /** Every touch, key or click passes here first: past the limit it locks instead of acting. */
  onInput(e) {
    const inside = this.root.contains(e.target);
    if (this.locked) {
      if (!inside) { e.preventDefault(); e.stopPropagation(); }
      return;
    }
    if (this.idle()) {
      e.preventDefault();
      e.stopPropagation();
      this.lock();
      return;
    }
    this.last = Date.now();
    if (this.last - this.saved > WRITE_EVERY_MS) this.write();
  }

  write() {
    try { localStorage.setItem(this.key, String(this.last)); this.saved = this.last; } catch (e) { /* no storage */ }
  }

  check() {
    if (!this.locked && this.idle()) this.lock();
    return this.locked;
  }

  lock() {
    this.locked = true;
    this.onLock();
  }

  /** The right code was typed: the device is in use again. */
  unlocked() {
    this.locked = false;
    this.last = Date.now();
    this.write();
    this.onUnlock();
  }
}

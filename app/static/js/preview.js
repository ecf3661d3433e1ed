// The designer's preview of the sort page (config.preview): the participant's pages as they
// are, but the work stays in this page's memory. Nothing goes to localStorage, IndexedDB, the
// service worker or the server, so a real participant on the same browser finds nothing of it.

/** Stands in for the Saver: takes every change and keeps it nowhere but in memory. */
export class MemorySaver {
  constructor({ state, onStatus }) {
    Object.assign(this, { state, onStatus });
  }

  change() {
    this.state.changedAt = Math.max(Date.now(), (this.state.changedAt || 0) + 1);
    this.onStatus("saved");
  }

  /** Nothing to send: the status says "saved" as a participant's would once their save is in. */
  schedule() { this.onStatus("saved"); }

  push() { /* nothing to send */ }
}

/** No idle lock in a preview: there is no participant, so no resume code to ask for. */
export const NO_LOCK = Object.freeze({ locked: false, check: () => false });

// Never lose work: every change goes to localStorage at once and to the server soon after.
// The server keeps a revision number; a write names the revision it was based on, and a
// conflict (409) returns the server's draft: the newer change (by changedAt) wins.
// Offline, changes wait on the device and are sent on 'online', on a timer, and on page hide.

const PREFIX = "qsort:draft:";

export function readLocal(storageKey) {
  try {
    return JSON.parse(localStorage.getItem(PREFIX + storageKey) || "null");
  } catch (e) {
    return null;
  }
}

/** Forget drafts kept on this device; with keepUnsent, those not yet on the server stay. */
export function clearAllLocal(keepUnsent = false) {
  try {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const k = localStorage.key(i);
      if (!k || !k.startsWith("qsort:")) continue;
      const entry = keepUnsent ? readLocal(k.slice(PREFIX.length)) : null;
      if (!(entry && entry.dirty)) localStorage.removeItem(k);
    }
  } catch (e) { /* storage disabled: nothing to clear */ }
}

export async function fetchJSON(url, options = {}, timeoutMs = 10000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      ...options, signal: controller.signal, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
    });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { status: res.status, ok: res.ok, data };
  } finally {
    clearTimeout(timer);
  }
}

export class Saver {
  constructor({ url, storageKey, revision, state, dirty, onStatus, onAdopt, onGone }) {
    Object.assign(this, { url, storageKey, revision, state, dirty, onStatus, onAdopt, onGone });
    this.inflight = false;
    this.again = false;
    this.retryMs = 1000;
    this.timer = null;
    window.addEventListener("online", () => this.push());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.push();
    });
    this.writeLocal();
  }

  writeLocal() {
    try {
      localStorage.setItem(PREFIX + this.storageKey,
        JSON.stringify({ revision: this.revision, state: this.state, dirty: this.dirty }));
    } catch (e) { /* private mode or full: the server copy still counts */ }
  }

  /** Record a change made on the device. */
  change() {
    this.state.changedAt = Math.max(Date.now(), (this.state.changedAt || 0) + 1);
    this.dirty = true;
    this.writeLocal();
    this.onStatus(navigator.onLine === false ? "offline" : "pending");
    this.schedule(300);
  }

  schedule(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.push(), ms);
  }

  async push() {
    if (!this.dirty) return;
    if (this.inflight) { this.again = true; return; }
    this.inflight = true;
    const stamp = this.state.changedAt;
    try {
      const res = await fetchJSON(this.url, {
        method: "PUT", body: JSON.stringify({ revision: this.revision, state: this.state }),
      });
      this.handle(res, stamp);
    } catch (e) {
      this.onStatus("offline");
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15000);
    } finally {
      this.inflight = false;
      if (this.again) { this.again = false; this.push(); }
    }
  }

  handle(res, stamp) {
    if (res.ok) {
      this.revision = res.data.revision;
      this.retryMs = 1000;
      if (this.state.changedAt === stamp) this.dirty = false;
      this.writeLocal();
      this.onStatus(this.dirty ? "pending" : "saved");
      if (this.dirty) this.schedule(300);
    } else if (res.status === 409 && res.data) {
      this.resolveConflict(res.data);
    } else if (res.status === 401) {
      this.onGone();
    } else {
      this.onStatus("error");
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15000);
    }
  }

  resolveConflict(server) {
    const theirs = server.state || {};
    this.revision = server.revision;
    if ((theirs.changedAt || 0) > (this.state.changedAt || 0)) {
      this.state = theirs;
      this.dirty = false;
      this.writeLocal();
      this.onAdopt(theirs);
      this.onStatus("saved");
    } else {
      this.again = true;
    }
  }
}

// Never lose work: every change goes to localStorage at once and to the server soon after.
// The server keeps a revision number; a write names the revision it was based on, and a
// conflict (409) returns the server's draft: the newer change (by changedAt) wins.
// Offline, changes wait on the device and are sent on 'online', on a timer, and on page hide.

const PREFIX = "qsort:draft:";
// Which draft the open sort page belongs to, so that the offline shell (a page with no
// participant in it) can find the work again: { storageKey, sorted }.
const CURRENT = "qsort:current";
// The Cache Storage cache holding the offline shell (see sw.js).
export const SHELL_CACHE = "qsort-shell";
// The picture cards' images (study material, the same for every participant; see sw.js).
export const MEDIA_CACHE = "qsort-media";
// The static files of one version, as "qsort-static-<version>" (see sw.js).
const STATIC_CACHE = "qsort-static-";

export function readLocal(storageKey) {
  try {
    return JSON.parse(localStorage.getItem(PREFIX + storageKey) || "null");
  } catch (e) {
    return null;
  }
}

export function readCurrent() {
  try {
    return JSON.parse(localStorage.getItem(CURRENT) || "null");
  } catch (e) {
    return null;
  }
}

export function writeCurrent(current) {
  try { localStorage.setItem(CURRENT, JSON.stringify(current)); } catch (e) { /* no storage */ }
}

/** Forget drafts kept on this device; with keepUnsent, those not yet on the server stay.
 *  Returns true when some participant's work is still kept. */
export function clearAllLocal(keepUnsent = false) {
  let kept = false;
  try {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const k = localStorage.key(i);
      if (!k || !k.startsWith("qsort:") || k === CURRENT) continue;
      const entry = keepUnsent && k.startsWith(PREFIX) ? readLocal(k.slice(PREFIX.length)) : null;
      if (entry && entry.dirty) kept = true;
      else localStorage.removeItem(k);
    }
    const current = readCurrent();
    if (!current || localStorage.getItem(PREFIX + current.storageKey) === null) {
      localStorage.removeItem(CURRENT);
    }
  } catch (e) { /* storage disabled: nothing to clear */ }
  return kept;
}

/** Drop the offline shell (it holds no participant data, but a shared device keeps nothing). */
export async function forgetShell() {
  try {
    if ("caches" in window) await caches.delete(SHELL_CACHE);
  } catch (e) { /* no Cache Storage (e.g. not a secure context) */ }
}

/** Register the service worker and keep a fresh copy of the shell for an offline reload, the
 *  study's pictures (those not kept yet) so that picture cards show offline too, and the
 *  modules the page loads on demand (versioned URLs, kept with the worker's own files). */
export async function keepShell(workerUrl, shellUrl, pictures = [], modules = []) {
  try {
    if (!("serviceWorker" in navigator) || !("caches" in window)) return;
    await navigator.serviceWorker.register(workerUrl, { scope: "/" });
    await keepAll(MEDIA_CACHE, pictures);
    const version = modules.length ? new URL(modules[0]).pathname.split("/")[2] : "";
    if (version.startsWith("v-")) await keepAll(`${STATIC_CACHE}${version}`, modules);
    const cache = await caches.open(SHELL_CACHE);
    const res = await fetch(shellUrl, { credentials: "same-origin", redirect: "error" });
    if (res.ok) await cache.put(shellUrl, res);
  } catch (e) { /* offline, or no service workers here: the page still works online */ }
  document.body.dataset.shell = "kept";
}

/** Add to a cache those of urls it does not hold yet. */
async function keepAll(name, urls) {
  if (!urls.length) return;
  const cache = await caches.open(name);
  const missing = [];
  for (const url of urls) if (!(await cache.match(url))) missing.push(url);
  if (missing.length) await cache.addAll(missing);
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

  /** Stop for good once the participant has finished: a save still in flight is not stored on
   * the device again, and its answer (401: the finished participant's token is gone) sends
   * nobody back to the start page. */
  close() { this.closed = true; clearTimeout(this.timer); }

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
    if (this.closed) return;
    if (!this.dirty) {
      if (!this.inflight) this.onStatus("saved"); // never left on "Saving…" with nothing to send
      return;
    }
    if (this.inflight) { this.again = true; return; }
    this.inflight = true;
    const stamp = this.state.changedAt;
    try {
      const res = await fetchJSON(this.url, {
        method: "PUT", body: JSON.stringify({ revision: this.revision, state: this.state }),
      });
      this.handle(res, stamp);
    } catch (e) {
      if (this.closed) return;
      this.onStatus("offline");
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15000);
    } finally {
      this.inflight = false;
      if (this.again) { this.again = false; this.push(); }
    }
  }

  handle(res, stamp) {
    if (this.closed) return;
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

// The service worker (served as /sw.js, scope "/"): lets a reload of the sort page work with
// no network. The server writes two constants above this file (app/assets.py): VERSION, the
// static files' version, and ASSETS, the versioned URLs of the sort page's stylesheet and of
// every module it loads, at once or on demand; so neither can go stale. It keeps three things:
//   - "qsort-static-<version>": those files (the same for everyone; an earlier version's cache
//     is deleted once this worker takes over);
//   - "qsort-shell": /p/shell, the sort page with the study's cards but no participant, label
//     or draft in it (the page puts it there; clean.js deletes it on the join and thanks pages).
//   - "qsort-media": the picture cards' images (/media/<content hash>.<type>, study material that
//     never changes under its name): cache first, so picture cards show offline.
// It never touches /api/ (the participant's work goes only to localStorage and the server) and
// never stores a page that carries a participant's data: /p itself always comes from the
// network, and only when the network fails does the worker answer with the shell, which then
// restores the work from the device's copy.
const STATIC = `qsort-static-${VERSION}`;
const SHELL = "qsort-shell";
const SHELL_URL = "/p/shell";
const MEDIA = "qsort-media";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("qsort-static-") && key !== STATIC) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

async function sortPage(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cache = await caches.open(SHELL);
    return (await cache.match(SHELL_URL)) || Response.error();
  }
}

// A file of this version never changes under its URL: kept, it is used without asking; any
// other static file comes from the network first, and from the cache only when offline.
async function asset(request, versioned) {
  if (versioned) {
    const kept = await (await caches.open(STATIC)).match(request);
    if (kept) return kept;
  }
  try {
    const res = await fetch(request);
    if (res.ok) {
      const copy = res.clone();
      caches.open(STATIC).then((c) => c.put(request, copy));
    }
    return res;
  } catch (err) {
    // offline: this file as kept, or (for an earlier version's URL) this version's copy of it
    const cache = await caches.open(STATIC);
    const path = new URL(request.url).pathname.replace(/^\/static\/v-[0-9a-f]+\//, `/static/${VERSION}/`);
    return (await cache.match(request, { ignoreSearch: true })) || (await cache.match(path))
      || Response.error();
  }
}

async function picture(request) {
  const cache = await caches.open(MEDIA);
  const kept = await cache.match(request);
  if (kept) return kept;
  const res = await fetch(request);
  if (res.ok) cache.put(request, res.clone());
  return res;
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname === "/p") {
    event.respondWith(sortPage(req));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(asset(req, url.pathname.startsWith(`/static/${VERSION}/`)));
  } else if (url.pathname.startsWith("/media/")) {
    event.respondWith(picture(req));
  }
  // everything else (the API, join, consent, thanks) goes to the network untouched
});

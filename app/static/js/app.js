// The participant's sort page: picks the newest saved state (device or server), shows the
// stage the participant was at, and drives instructions, pre-sort, sort, post-sort and survey.
// What is not needed to show the page loads on demand (import()): the board when the pre-sort
// starts, the post-sort step when it is reached, speech on the first press of a speaker, the
// lock's code check on the first try. Once the page is shown, those its study uses (never
// speech for a study that does not read aloud) are put in the offline cache, unloaded.
import {
  PILES, addStepTime, assignPile, fmt, initialState, isComplete, logMove, newKey, newTrace,
  nextPresortCard, pileCounts, placeOf, placedCount, placements, undoPresort,
} from "./model.js";
import { IdleLock } from "./lock.js";
import {
  Saver, clearAllLocal, fetchJSON, forgetShell, keepShell, readCurrent, readLocal, writeCurrent,
} from "./sync.js";

const config = JSON.parse(document.getElementById("qsort-config").textContent);
const S = config.strings;
let lock = null; // the idle lock (set up once the page is shown)
const t = (key, params) => fmt(S[key] ?? key, params);
const $ = (id) => document.getElementById(id);
// The designer's preview keeps nothing on the device and sends nothing (see preview.js).
const preview = config.preview === true;
// its in-memory stand-ins load only in a preview
const previewing = preview ? await import("./preview.js") : null;

// The offline shell (served by the service worker when a reload finds no network) carries no
// participant: take the participant and the work from the device's copy instead.
if (preview) {
  document.body.dataset.preview = "true";
} else if (!config.participant) {
  const current = readCurrent();
  const local = current && current.storageKey.startsWith(config.storagePrefix)
    ? readLocal(current.storageKey) : null;
  if (!local || !local.state) {
    document.getElementById("main").replaceChildren(Object.assign(document.createElement("p"), {
      className: "panel narrow lead", textContent: S["js.offline.nothing"] ?? "",
    }));
    throw new Error("offline shell without a saved sort on this device");
  }
  config.participant = current;
  document.body.dataset.source = "device";
  config.draft = { revision: local.revision, state: local.dirty ? null : local.state };
} else {
  writeCurrent(config.participant);
}

function announce(text) {
  const live = $("announcer");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 50);
}

function setStatus(kind) {
  const el = $("save-status");
  el.dataset.state = kind;
  el.textContent = t(`js.status.${kind}`);
}

function startingState() {
  const server = config.draft;
  const local = preview ? null : readLocal(config.participant.storageKey);
  const serverState = server.state && server.state.v ? server.state : null;
  if (local && local.state && local.state.v && local.dirty
      && (local.state.changedAt || 0) >= (serverState?.changedAt || 0)) {
    return { state: local.state, dirty: true };
  }
  if (serverState) return { state: serverState, dirty: false };
  // a new participant starts at the study's card text size (they can change it on the page)
  return { state: { ...initialState(config.statements), textSize: config.study.textSize || 1 }, dirty: true };
}

const start = startingState();
let state = start.state;
if (!state.trace) state.trace = newTrace();
if (!state.textSize) state.textSize = config.study.textSize || 1; // the study's opening size
if (config.participant.sorted && ["instructions", "presort", "sort"].includes(state.stage)) {
  state.stage = "postsort";
}
const saver = preview ? new previewing.MemorySaver({ state, onStatus: setStatus }) : new Saver({
  url: config.urls.draft, storageKey: config.participant.storageKey,
  revision: config.draft.revision, state, dirty: start.dirty,
  onStatus: setStatus,
  onAdopt: (theirs) => {
    state = theirs;
    if (!state.trace) state.trace = newTrace();
    stageSince = Date.now();
    board?.setState(state);
    applyTextSize(state.textSize || 1);
    show(state.stage);
  },
  // While finishing, the finish request's own answer decides where the page goes: a save that
  // raced it and found the finished participant's token gone must not send them to the start.
  onGone: () => { if (!finishing) window.location.assign(config.urls.start); },
});
// ---------- time per step (kept in the trace; hidden or locked time does not count) ----------
let stageSince = Date.now();
function flushStepTime() {
  const now = Date.now();
  if (document.visibilityState !== "hidden" && !lock?.locked) addStepTime(state, state.stage, now - stageSince);
  stageSince = now;
}
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flushStepTime(); else stageSince = Date.now();
});
const changed = () => { flushStepTime(); saver.change(); };

// ---------- text size: four steps, kept with the participant's work ----------
function applyTextSize(size) {
  document.documentElement.dataset.textSize = String(size);
  for (const b of document.querySelectorAll("button[data-size]")) {
    b.setAttribute("aria-pressed", String(Number(b.dataset.size) === size));
  }
}
for (const b of document.querySelectorAll("button[data-size]")) {
  b.addEventListener("click", () => {
    state.textSize = Number(b.dataset.size);
    applyTextSize(state.textSize);
    board?.layout();
    changed();
  });
}
applyTextSize(state.textSize);

// ---------- read-aloud (speech.js loads on the first press of a speaker) ----------
const byNumber = Object.fromEntries(config.statements.map((x) => [x.n, x]));
function cardSpeech(n) {
  const card = byNumber[n];
  return card.image && card.alt && card.alt !== card.text ? `${card.alt}. ${card.text}` : card.text;
}
let reader = null;
const speech = () => import("./speech.js");
function readAloud(button) {
  reader ??= speech().then(({ ReadAloud }) => new ReadAloud({
    lang: config.study.language,
    onNoVoice: () => {
      const note = $("speech-note");
      note.textContent = `⚠ ${t("js.speak.no_voice")}`;
      note.hidden = false;
      announce(t("js.speak.no_voice"));
    },
    onVoice: () => { $("speech-note").hidden = true; },
  }));
  const key = button.dataset.speak;
  const text = key.startsWith("card:") ? cardSpeech(Number(key.slice(5))) : ($(key.slice(3))?.innerText ?? "");
  reader.then((r) => r.speak(text, button));
}
if (config.study.readAloud) {
  window.speechSynthesis?.getVoices(); // some devices find their voices only once asked
  document.addEventListener("click", (e) => {
    const b = e.target.closest("[data-speak]");
    if (!b) return;
    e.preventDefault();
    e.stopPropagation(); // a speaker on a card does not pick the card up
    readAloud(b);
  }, true);
}

/** A speaker button (the symbol is the page's, there only when the study reads aloud);
 *  withLabel puts the words beside it (instructions, dock), else they are for screen readers. */
function speakButton(key, label, { pointerOnly = false, withLabel = false } = {}) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = withLabel ? "speak btn" : "speak";
  b.dataset.speak = key;
  const words = document.createElement("span");
  words.className = withLabel ? "speak-label" : "visually-hidden";
  words.textContent = label;
  b.append($("speaker-icon").content.cloneNode(true), words);
  if (pointerOnly) {
    // On the cards of the tray and board: for sighted readers who tap; screen readers read the
    // card itself, and keyboard users have the enlarged card's button.
    b.tabIndex = -1;
    b.setAttribute("aria-hidden", "true");
  }
  return b;
}

/** A picture card's image: sized (no jump while loading), loaded when needed. */
function picture(card, className) {
  const img = document.createElement("img");
  img.className = className;
  img.src = card.image;
  img.alt = card.alt || "";
  img.width = 400;
  img.height = 300;
  img.decoding = "async";
  if (className === "thumb") img.loading = "lazy";
  return img;
}

// The dock (hint and enlarged card) is fixed at the bottom: keep the page's end clear of it.
const dock = $("dock");
new ResizeObserver(() => {
  document.body.style.setProperty("--dock", `${dock.offsetHeight}px`);
}).observe(dock);

// ---------- the board (board.js, loaded when the pre-sort starts) ----------
let board = null;
let boardLoaded = null;
function loadBoard() {
  boardLoaded ??= import("./board.js").then(({ Board }) => {
    board = new Board({
      root: $("board"), tray: $("tray"), reader: $("reader"), hint: $("board-hint"),
      config, state, s: S, announce, picture, speakButton,
      onChange: () => { changed(); updateProgress(); },
    });
    return board;
  });
  return boardLoaded;
}

// ---------- post-sort (postsort.js, loaded when the participant gets there) ----------
let postsortLoaded = null;
const postsort = () => (postsortLoaded ??= import("./postsort.js"));
let surveyLoaded = null;
const survey = () => (surveyLoaded ??= import("./survey.js"));
const shared = {
  config, t, byNumber, picture, speakButton, changed, goTo, showProblems,
  get state() { return state; },
};
$("postsort-next").addEventListener("click", () => postsort().then((m) => m.leavePostsort(shared)));

// ---------- stages ----------
/** Show a stage; the promise settles once it is drawn (some stages load their module first). */
function show(stage) {
  flushStepTime();
  state.stage = stage;
  for (const el of document.querySelectorAll(".stage")) el.hidden = el.id !== `stage-${stage}`;
  document.body.dataset.stage = stage;
  if (stage === "presort") loadBoard(); // while the participant sorts into piles
  return Promise.resolve(({ instructions: () => {}, presort: renderPresort, sort: renderSort,
    postsort: () => postsort().then((m) => m.renderPostsort(shared)), survey: () => survey().then((m) => m.renderSurvey(shared)) })[stage]());
}

function goTo(stage) {
  show(stage);
  changed();
  window.scrollTo(0, 0);
  const heading = document.querySelector(`#stage-${stage} h1`);
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

// ---------- pre-sort ----------
function renderPresort() {
  const n = nextPresortCard(state);
  const counts = pileCounts(state);
  for (const p of PILES) document.querySelector(`[data-count="${p}"]`).textContent = counts[p];
  const done = state.order.length - (n === null ? 0 : state.order.filter((x) => !(x in state.piles)).length);
  $("presort-progress").textContent = t("js.presort.progress", { done, total: state.order.length });
  const card = $("presort-card");
  if (n === null) {
    card.innerHTML = "";
    const p = document.createElement("p");
    p.className = "lead";
    p.textContent = t("js.presort.all_done");
    card.append(p);
  } else {
    card.innerHTML = "";
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = String(n);
    const txt = document.createElement("p");
    txt.className = "presort-text";
    txt.textContent = byNumber[n].text;
    const body = document.createElement("div");
    body.className = "presort-body";
    if (byNumber[n].image) body.append(picture(byNumber[n], "presort-picture"));
    body.append(txt);
    if (config.study.readAloud) body.append(speakButton(`card:${n}`, t("js.speak.read"), { withLabel: true }));
    card.append(num, body);
  }
  for (const b of document.querySelectorAll(".pile-buttons button")) b.disabled = n === null;
  $("presort-undo").disabled = !state.history.length;
  $("presort-done").hidden = n !== null;
}

for (const b of document.querySelectorAll(".pile-buttons button")) {
  b.addEventListener("click", (e) => {
    const n = nextPresortCard(state);
    if (n === null) return;
    assignPile(state, n, b.dataset.pile);
    logMove(state, n, "deck", placeOf(state, n), e.detail === 0 ? "keyboard" : "tap");
    changed();
    renderPresort();
    announce(t("js.announce.presorted", { n, pile: t(`js.pile.${b.dataset.pile}`) }));
    if (nextPresortCard(state) === null) $("presort-done").focus();
  });
}
$("presort-undo").addEventListener("click", (e) => {
  const last = state.history[state.history.length - 1];
  const from = last === undefined ? null : placeOf(state, last);
  const n = undoPresort(state);
  if (n === null) return;
  logMove(state, n, from, placeOf(state, n), e.detail === 0 ? "keyboard" : "tap", true);
  changed();
  renderPresort();
  announce(t("js.announce.undone", { n }));
});
$("presort-done").addEventListener("click", () => loadBoard().then((b) => { b.openStartPile(); goTo("sort"); }));
$("start-presort").addEventListener("click", () => goTo("presort"));

// ---------- sort ----------
function updateProgress() {
  const placed = placedCount(state);
  const total = state.order.length;
  $("sort-progress").max = total;
  $("sort-progress").value = placed;
  $("sort-progress-text").textContent = t("js.sort.progress", { placed, total });
  const ready = isComplete(state, config.grid);
  const btn = $("submit-sort");
  btn.setAttribute("aria-disabled", String(!ready));
  btn.classList.toggle("is-disabled", !ready);
  $("submit-hint").textContent = ready ? "" : t("js.sort.not_ready", { left: total - placed });
}

function renderSort() {
  return loadBoard().then((b) => {
    if (state.stage !== "sort") return;
    b.state = state;
    b.render();
    updateProgress();
  });
}

let submitting = false;
$("submit-sort").addEventListener("click", async () => {
  if (submitting) return;
  if (!isComplete(state, config.grid)) { announce($("submit-hint").textContent); return; }
  submitting = true;
  if (!state.submitKey) { state.submitKey = newKey(); changed(); }
  $("submit-sort").classList.add("is-busy");
  try { await sendSort(); } finally { submitting = false; $("submit-sort").classList.remove("is-busy"); }
});

async function sendSort() {
  flushStepTime();
  if (preview) { goTo("postsort"); return; } // the sort is complete (checked above): kept nowhere
  const trace = { steps: state.trace.steps, moves: state.trace.moves };
  const body = { key: state.submitKey, qset_id: config.qsetId, grid_id: config.gridId,
                 placements: placements(state), trace };
  let res;
  try {
    res = await fetchJSON(config.urls.sort, { method: "POST", body: JSON.stringify(body) }, 15000);
  } catch (e) {
    setStatus("offline");
    $("submit-hint").textContent = t("js.sort.offline_submit");
    announce(t("js.sort.offline_submit"));
    window.addEventListener("online", () => $("submit-sort").click(), { once: true });
    return;
  }
  if (res.ok) { goTo("postsort"); return; }
  if (res.status === 401) { window.location.assign(config.urls.start); return; }
  showProblems($("submit-problems"), res.data);
}

function showProblems(list, data) {
  list.replaceChildren();
  const items = (data && data.problems && data.problems.length) ? data.problems.map((p) => p.message)
    : [(data && data.message) || t("js.error.generic")];
  for (const m of items) { const li = document.createElement("li"); li.textContent = m; list.append(li); }
  list.hidden = false; // inside a role="alert" box: read out as it appears
}


$("survey-back").addEventListener("click", () => goTo("postsort"));

let finishing = false;
$("finish").addEventListener("click", async () => {
  if (finishing) return;
  if ((await survey()).flagMissingAnswers(shared)) return;
  finishing = true;
  if (!state.finishKey) { state.finishKey = newKey(); changed(); }
  try { await sendFinish(); } finally { finishing = false; }
});

async function sendFinish() {
  flushStepTime();
  if (preview) { window.location.assign(config.urls.thanks); return; } // the answers go nowhere
  const body = { key: state.finishKey, comments: state.comments, answers: state.answers,
                 steps: state.trace.steps };
  let res;
  try {
    res = await fetchJSON(config.urls.finish, { method: "POST", body: JSON.stringify(body) }, 15000);
  } catch (e) {
    setStatus("offline");
    showProblems($("finish-problems"), { message: t("js.sort.offline_submit") });
    window.addEventListener("online", () => $("finish").click(), { once: true });
    return;
  }
  if (res.ok) {
    saver.close();
    clearAllLocal();
    await forgetShell();
    window.location.assign(res.data.next);
    return;
  }
  if (res.status === 401) { window.location.assign(config.urls.start); return; }
  showProblems($("finish-problems"), res.data);
}

// ---------- the idle lock (privacy on a shared tablet) ----------
function setUpLock() {
  if (preview) { lock = previewing.NO_LOCK; return; }
  lock = new IdleLock({
    limitMs: config.study.idleMinutes * 60000,
    storageKey: config.participant.storageKey,
    fresh: document.body.dataset.source !== "device",
    root: $("lock"),
    onLock: () => {
      flushStepTime();
      if (board && board.selected !== null) { board.selected = null; board.render(); }
      document.body.dataset.locked = "true";
      $("lock").hidden = false;
      $("lock-code").value = "";
      $("lock-code").focus();
    },
    onUnlock: () => {
      delete document.body.dataset.locked;
      $("lock").hidden = true;
      $("lock-error").hidden = true;
      $("lock-code").removeAttribute("aria-invalid");
      stageSince = Date.now();
      const heading = document.querySelector(`#stage-${state.stage} h1`);
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    },
  });
  // the code check (unlock.js) loads on the first try: it needs the network anyway
  $("lock-form").addEventListener("submit", (e) => {
    e.preventDefault();
    import("./unlock.js").then(
      (m) => m.tryUnlock({ lock, url: config.urls.unlock, start: config.urls.start, t }),
      () => { $("lock-error").textContent = `⚠ ${t("js.lock.offline")}`; $("lock-error").hidden = false; },
    );
  });
}

// ---------- start ----------
setUpLock();
const shown = show(state.stage || "instructions");
lock.check();
setStatus(start.dirty ? "pending" : "saved");
if (start.dirty) saver.schedule(0);
await shown;
window.qsortReady = true;
if (!preview && navigator.onLine !== false) {
  const pictures = config.statements.map((x) => x.image).filter(Boolean);
  // the modules this study loads on demand, kept for a reload with no network (not the lock's
  // code check, which needs the network anyway)
  const later = ["./board.js", "./postsort.js", ...(config.study.readAloud ? ["./speech.js"] : []),
    ...(pictures.length ? ["../css/pictures.css"] : [])];
  keepShell(config.urls.worker, config.urls.shell, pictures, later.map((m) => new URL(m, import.meta.url).href));
}

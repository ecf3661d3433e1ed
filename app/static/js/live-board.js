// The facilitator's live board: rows drawn from the server's board state, updated by
// server-sent events. EventSource reconnects by itself (the server's `retry` hint) and sends
// Last-Event-ID, so a dropped connection resumes without a reload; the server only sends a new
// state when something changed. Time on the step is counted here from `since`, corrected by the
// difference between the server's clock (`now`) and this one.
const config = JSON.parse(document.getElementById("board-config").textContent);
const rows = document.getElementById("board-rows");
const counts = document.getElementById("board-counts");
const empty = document.getElementById("board-empty");
const status = document.getElementById("live-status");
let skew = 0;
let current = config.board;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function elapsed(since) {
  if (!since) return "";
  const seconds = Math.max(0, Math.round((Date.now() + skew - Date.parse(since)) / 1000));
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m}:${s}`;
}

function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}

function action(url, label, confirmLabel, name) {
  const form = el("form", { method: "post", action: url });
  if (config.urls.csrf) form.append(el("input", { type: "hidden", name: "csrf_token", value: config.urls.csrf }));
  const button = el("button", { type: "submit", className: "btn", textContent: label, dataset: { action: name } });
  if (confirmLabel) {
    form.addEventListener("submit", (event) => {
      if (button.classList.contains("armed")) return;
      event.preventDefault();
      button.classList.add("armed");
      button.textContent = confirmLabel;
    });
  }
  form.append(button);
  return form;
}

function row(r) {
  const ended = r.step === "finished" || r.step === "cleared";
  const tr = el("tr", { dataset: { participant: String(r.participant_id), step: r.step } });
  tr.classList.toggle("needs-help", r.help_id !== null);
  tr.classList.toggle("finished", ended);
  const bar = el("progress", { max: r.cards_total || 1, value: r.cards_placed });
  const help = r.help_id === null ? el("span") : el("span", {},
    el("span", { className: "help-flag", textContent: "⚑ Needs help" }),
    " for ",
    el("span", { className: "since", dataset: { since: r.help_since } }),
    " ",
    action(config.urls.answer.replace("{help}", r.help_id), "Answered", null, "answer"));
  const clear = ended ? "" : action(
    config.urls.clear.replace("{participant}", r.participant_id),
    "Clear tablet", `Confirm: clear ${r.label}'s tablet`, "clear");
  tr.append(
    el("td", { textContent: r.seat_name || (r.seat ? `Seat ${r.seat}` : "–") }),
    el("th", { scope: "row", textContent: r.label }),
    el("td", { className: "step", textContent: config.steps[r.step] || r.step }),
    el("td", { className: "cards" }, bar, `${r.cards_placed} of ${r.cards_total}`),
    el("td", { className: "since", dataset: { since: ended ? "" : r.since || "" } }),
    el("td", {}, help),
    el("td", { textContent: clock(r.finished_at) }),
    el("td", {}, clear),
  );
  return tr;
}

function render(board) {
  current = board;
  skew = Date.parse(board.now) - Date.now();
  const armed = document.activeElement?.closest?.("tr")?.dataset.participant;
  rows.replaceChildren(...board.rows.map(row));
  if (armed) rows.querySelector(`tr[data-participant="${armed}"] button`)?.focus();
  empty.hidden = board.rows.length > 0;
  const c = board.counts;
  counts.textContent = `${c.joined} joined · ${c.finished} finished` + (c.help ? ` · ${c.help} waiting for help` : "");
  tick();
}

function tick() {
  for (const cell of document.querySelectorAll("[data-since]")) cell.textContent = elapsed(cell.dataset.since);
}

function connect() {
  const source = new EventSource(config.urls.events);
  source.addEventListener("open", () => { status.dataset.state = "live"; status.textContent = "● Live"; });
  source.addEventListener("error", () => { status.dataset.state = "lost"; status.textContent = "Reconnecting…"; });
  source.addEventListener("board", (event) => render(JSON.parse(event.data)));
}

render(current);
setInterval(tick, 1000);
connect();

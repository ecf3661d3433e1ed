// The sorting board: the tray of piles, the grid, and three ways to move a card:
// drag (pointer events: finger, pen or mouse; touch-action none, no long-press delay),
// tap a card then a place, and the keyboard (Enter/Space to pick and place, arrows to move
// between places, Delete to send a card back, Escape to let go). Every move is announced and
// added to the trace with the way it was made (drag, tap or keyboard). The sort page loads it
// when the participant starts the pre-sort (or at once when they are past it); the page hands
// it the pictures' and speakers' makers, which the other steps share.
import {
  PILES, capacityOf, columnCount, firstFreeRow, fmt, formatValue, logMove, occupant, place,
  placeOf, placedCount, sendBack, trayCards,
} from "./model.js";

const DRAG_START_PX = 6;
// Auto-scroll while dragging: a band along the top and bottom of the visible page (above the
// dock) scrolls the page toward that edge, slowly at the band's inner side and faster toward
// the edge (eased, so a shaking finger near the inner side does not jerk the page).
const EDGE_SHARE = 0.12; // band height as a share of the viewport height...
const EDGE_MIN_PX = 56; // ...but never thinner than this
const EDGE_MAX_PX = 120; // ...nor thicker than this
const SCROLL_MIN = 80; // px per second on entering the band
const SCROLL_MAX = 1100; // px per second at the very edge
// Layout: columns side by side while each gets at least this many rem (the text size counts),
// else one row per column; on a board narrower than HEADS_ABOVE_REM, headings go above places.
const MIN_COL_REM = 6.5;
const HEADS_ABOVE_REM = 26;

/** Words for screen readers only, inside a control's visible text (no aria-label mismatch). */
function hidden(text) {
  const span = document.createElement("span");
  span.className = "visually-hidden";
  span.textContent = text;
  return span;
}

export class Board {
  /** picture(card, className) makes a card's image; speakButton(key, label, options) a
   *  speaker (only asked for when the study reads aloud). */
  constructor({ root, tray, reader, hint, config, state, s, onChange, announce, picture, speakButton }) {
    Object.assign(this, { root, tray, reader, hint, config, state, s, onChange, announce, picture, speakButton });
    this.text = Object.fromEntries(config.statements.map((x) => [x.n, x.text]));
    this.cards = Object.fromEntries(config.statements.map((x) => [x.n, x]));
    this.selected = null;
    this.by = "tap";
    this.openStartPile();
    this.drag = null;
    this.suppressClick = false;
    this.bind();
    new ResizeObserver(() => this.layout()).observe(root.parentElement);
    this.layout();
  }

  /** Choose columns or rows for the room the board has at the current text size. */
  layout() {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
    const width = this.root.parentElement.clientWidth / rem;
    const perColumn = width / this.config.grid.values.length;
    this.root.classList.toggle("as-rows", perColumn < MIN_COL_REM);
    this.root.classList.toggle("heads-above", width < HEADS_ABOVE_REM);
  }

  /** Open the tray where sorting usually starts: the study's pile (agree unless it says
   *  otherwise), or the next pile that still holds cards. */
  openStartPile() {
    const start = this.config.study.trayStart;
    this.pile = [start, "agree", "neutral", "disagree"].find(
      (p) => PILES.includes(p) && trayCards(this.state, p).length) || "agree";
  }

  setState(state) { this.state = state; this.selected = null; this.render(); }

  t(key, params) { return fmt(this.s[key] ?? key, params); }

  colName(v) {
    const g = this.config.grid.values;
    if (v === g[0]) return `${formatValue(v)} (${this.config.study.disagreeLabel})`;
    if (v === g[g.length - 1]) return `${formatValue(v)} (${this.config.study.agreeLabel})`;
    return formatValue(v);
  }

  // ---------- rendering ----------
  render(focusSel) {
    this.renderTray();
    this.renderBoard();
    this.renderReader();
    if (focusSel) {
      const el = document.querySelector(focusSel);
      if (el) el.focus({ preventScroll: false });
    }
  }

  cardButton(n, where) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "card";
    b.dataset.n = String(n);
    b.setAttribute("aria-pressed", String(this.selected === n));
    // The accessible name is the visible text plus hidden words (no aria-label, so what a
    // speech-input user sees is what they can say): "Card 12: <text>. In the Agree pile."
    const pre = document.createElement("span");
    pre.className = "visually-hidden";
    pre.textContent = `${this.t("js.card.word")} `;
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = String(n);
    const txt = document.createElement("span");
    txt.className = "txt";
    txt.textContent = ` ${this.text[n]}`;
    const post = document.createElement("span");
    post.className = "visually-hidden";
    post.textContent = `. ${where}.`;
    // The face shows the picture (if any) and the whole text: nothing is cut off.
    const face = document.createElement("span");
    face.className = "face";
    const card = this.cards[n];
    if (card.image) face.append(this.picture(card, "thumb"));
    face.append(num, txt);
    b.append(pre, face, post);
    if (card.image) b.classList.add("has-picture");
    const wrap = document.createElement("div");
    wrap.className = "card-wrap";
    wrap.append(b);
    if (this.config.study.readAloud) {
      wrap.append(this.speakButton(`card:${n}`, this.t("js.speak.card", { n }), { pointerOnly: true }));
      wrap.classList.add("with-speak");
    }
    return wrap;
  }

  renderTray() {
    const tabs = document.createElement("div");
    tabs.className = "pile-tabs";
    tabs.setAttribute("role", "group");
    tabs.setAttribute("aria-label", this.t("js.tray.label"));
    for (const p of PILES) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `pile-tab pile-${p}`;
      b.dataset.pileTab = p;
      b.setAttribute("aria-pressed", String(this.pile === p));
      const count = trayCards(this.state, p).length;
      b.textContent = `${this.t(`js.pile.${p}`)} (${count})`;
      tabs.append(b);
    }
    const list = document.createElement("div");
    list.className = "tray-cards";
    const cards = trayCards(this.state, this.pile);
    for (const n of cards) list.append(this.cardButton(n, this.t(`js.where.pile_${this.pile}`)));
    if (!cards.length) {
      const empty = document.createElement("p");
      empty.className = "muted tray-empty";
      empty.textContent = placedCount(this.state) === this.state.order.length
        ? this.t("js.tray.all_placed") : this.t("js.tray.empty");
      list.append(empty);
    }
    this.tray.replaceChildren(tabs, list);
  }

  renderBoard() {
    const cols = this.config.grid.values.map((v) => this.renderColumn(v));
    this.root.replaceChildren(...cols);
    this.root.style.setProperty("--cols", String(cols.length));
  }

  renderColumn(v) {
    const cap = capacityOf(this.config.grid, v);
    const used = columnCount(this.state, v);
    const col = document.createElement("div");
    col.className = "col";
    col.dataset.value = String(v);
    const head = document.createElement("button");
    head.type = "button";
    head.className = "col-head";
    head.dataset.drop = "column";
    head.dataset.value = String(v);
    const g = this.config.grid.values;
    const label = v === g[0] ? this.config.study.disagreeLabel
      : v === g[g.length - 1] ? this.config.study.agreeLabel : "";
    const val = document.createElement("span");
    val.className = "val";
    val.textContent = formatValue(v);
    const cnt = document.createElement("span");
    cnt.className = used >= cap ? "cap full" : "cap";
    cnt.textContent = `${used}/${cap}`;
    head.append(hidden(`${this.t("js.col.word")} `), val, cnt);
    if (label) {
      const l = document.createElement("span");
      l.className = "end-label";
      l.textContent = label;
      head.append(l);
    }
    head.append(hidden(`. ${this.t("js.col.help", { used, cap })}`));
    const cells = document.createElement("div");
    cells.className = "cells";
    for (let r = 0; r < cap; r += 1) cells.append(this.renderCell(v, r, cap));
    col.append(head, cells);
    return col;
  }

  renderCell(v, r, cap) {
    const cell = document.createElement("div");
    cell.className = "cell";
    cell.dataset.drop = "cell";
    cell.dataset.value = String(v);
    cell.dataset.row = String(r);
    const n = occupant(this.state, v, r);
    const where = this.t("js.where.cell", { col: this.colName(v), row: r + 1, cap });
    if (n !== null) {
      cell.append(this.cardButton(n, where));
    } else {
      const slot = document.createElement("button");
      slot.type = "button";
      slot.className = "slot";
      slot.dataset.value = String(v);
      slot.dataset.row = String(r);
      const value = document.createElement("span");
      value.className = "slot-value";
      value.textContent = formatValue(v);
      slot.append(hidden(`${this.t("js.slot.word")} `), value, hidden(`. ${where}`));
      cell.append(slot);
    }
    return cell;
  }

  renderReader() {
    const n = this.selected;
    if (n === null) { this.reader.hidden = true; return; }
    const p = document.createElement("p");
    p.className = "reader-text";
    p.textContent = `${n}. ${this.text[n]}`;
    const parts = [];
    if (this.cards[n].image) parts.push(this.picture(this.cards[n], "reader-picture"));
    parts.push(p);
    if (this.config.study.readAloud) {
      parts.push(this.speakButton(`card:${n}`, this.t("js.speak.read"), { withLabel: true }));
    }
    const help = document.createElement("p");
    help.className = "muted";
    help.textContent = this.t("js.reader.help");
    const actions = document.createElement("div");
    actions.className = "row-actions";
    if (n in this.state.grid) actions.append(this.actionButton("send-back", this.t("js.reader.send_back")));
    actions.append(this.actionButton("cancel", this.t("js.reader.cancel")));
    this.reader.replaceChildren(...parts, help, actions);
    this.reader.hidden = false;
  }

  actionButton(action, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn";
    b.dataset.action = action;
    b.textContent = label;
    return b;
  }

  // ---------- moves ----------
  where(n) {
    if (n in this.state.grid) {
      const [v, r] = this.state.grid[n];
      return this.t("js.where.cell", { col: this.colName(v), row: r + 1, cap: capacityOf(this.config.grid, v) });
    }
    return this.t(`js.where.pile_${this.state.piles[n] || "neutral"}`);
  }

  select(n) {
    this.selected = this.selected === n ? null : n;
    this.showHint("");
    this.render(`[data-n="${n}"]`);
    this.announce(this.selected === null ? this.t("js.announce.released", { n })
      : this.t("js.announce.picked", { n, text: this.text[n], where: this.where(n) }));
  }

  moveTo(n, v, r) {
    const from = placeOf(this.state, n);
    const other = place(this.state, n, v, r);
    logMove(this.state, n, from, placeOf(this.state, n), this.by);
    if (other !== null) logMove(this.state, other, placeOf(this.state, n), placeOf(this.state, other), this.by);
    this.selected = null;
    this.showHint("");
    this.commit(`[data-n="${n}"]`);
    let msg = this.t("js.announce.placed", { n, where: this.where(n) });
    if (other !== null) msg += ` ${this.t("js.announce.swapped", { n: other, where: this.where(other) })}`;
    this.announce(msg);
  }

  moveToColumn(n, v) {
    if (n in this.state.grid && this.state.grid[n][0] === v) { this.selected = null; this.render(); return; }
    const r = firstFreeRow(this.state, this.config.grid, v);
    if (r < 0) {
      const msg = this.t("js.hint.column_full", { col: this.colName(v), cap: capacityOf(this.config.grid, v) });
      this.showHint(msg);
      this.announce(msg);
      return;
    }
    this.moveTo(n, v, r);
  }

  back(n) {
    const from = placeOf(this.state, n);
    sendBack(this.state, n);
    logMove(this.state, n, from, placeOf(this.state, n), this.by);
    this.selected = null;
    this.pile = this.state.piles[n] || "neutral";
    this.commit(`[data-n="${n}"]`);
    this.announce(this.t("js.announce.sent_back", { n, where: this.where(n) }));
  }

  commit(focusSel) {
    this.onChange();
    this.render(focusSel);
  }

  showHint(msg) {
    this.hint.textContent = msg ? `⚠ ${msg}` : "";
    this.hint.hidden = !msg;
  }

  // ---------- input: tap / click / keyboard ----------
  bind() {
    const area = this.root.closest(".stage");
    area.addEventListener("click", (e) => this.onClick(e));
    area.addEventListener("keydown", (e) => this.onKey(e));
    area.addEventListener("pointerdown", (e) => this.onPointerDown(e));
  }

  onClick(e) {
    if (this.suppressClick) { this.suppressClick = false; e.preventDefault(); return; }
    const t = e.target.closest("button");
    if (!t) return;
    // a click made with Enter or Space has no pointer behind it (detail 0)
    this.by = e.detail === 0 ? "keyboard" : "tap";
    if (t.dataset.scroll) { this.scrollPage(Number(t.dataset.scroll)); return; }
    if (t.dataset.pileTab) { this.pile = t.dataset.pileTab; this.render(`[data-pile-tab="${this.pile}"]`); return; }
    if (t.dataset.action === "cancel") { const n = this.selected; this.selected = null; this.render(n !== null ? `[data-n="${n}"]` : null); return; }
    if (t.dataset.action === "send-back" && this.selected !== null) { this.back(this.selected); return; }
    if (t.classList.contains("card")) { this.onCardTap(Number(t.dataset.n)); return; }
    if (t.classList.contains("slot")) { this.onPlaceTap(Number(t.dataset.value), Number(t.dataset.row)); return; }
    if (t.classList.contains("col-head")) { this.onColumnTap(Number(t.dataset.value)); }
  }

  /** The phone's scroll gutter arrows: page up or down by most of the visible height. */
  scrollPage(dir) {
    const dock = document.getElementById("dock");
    const visible = window.innerHeight - (dock ? dock.offsetHeight : 0);
    window.scrollBy({ top: dir * Math.round(visible * 0.6), behavior: "smooth" });
  }

  onCardTap(n) {
    const s = this.selected;
    if (s !== null && s !== n && n in this.state.grid) {
      const [v, r] = this.state.grid[n];
      this.moveTo(s, v, r);
      return;
    }
    this.select(n);
  }

  onPlaceTap(v, r) {
    if (this.selected === null) { this.showHint(this.t("js.hint.pick_first")); return; }
    this.moveTo(this.selected, v, r);
  }

  onColumnTap(v) {
    if (this.selected === null) { this.showHint(this.t("js.hint.pick_first")); return; }
    this.moveToColumn(this.selected, v);
  }

  onKey(e) {
    if (e.key === "Escape" && this.selected !== null) {
      const n = this.selected; this.selected = null; this.render(`[data-n="${n}"]`);
      this.announce(this.t("js.announce.released", { n }));
      return;
    }
    const btn = e.target.closest(".card, .slot");
    if (!btn) return;
    if ((e.key === "Delete" || e.key === "Backspace") && btn.classList.contains("card")) {
      const n = Number(btn.dataset.n);
      if (n in this.state.grid) { e.preventDefault(); this.by = "keyboard"; this.back(n); }
      return;
    }
    const cell = btn.closest(".cell");
    // right to left, the board is mirrored: the left arrow goes on toward "most agree"
    const ahead = document.documentElement.dir === "rtl" ? -1 : 1;
    const step = { ArrowLeft: [-ahead, 0], ArrowRight: [ahead, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!cell || !step) return;
    e.preventDefault();
    this.focusCell(Number(cell.dataset.value), Number(cell.dataset.row), step);
  }

  focusCell(v, r, [dc, dr]) {
    const values = this.config.grid.values;
    const ci = Math.min(Math.max(values.indexOf(v) + dc, 0), values.length - 1);
    const nv = values[ci];
    const cap = capacityOf(this.config.grid, nv);
    if (!cap) return;
    const nr = Math.min(Math.max(r + dr, 0), cap - 1);
    const el = this.root.querySelector(`.cell[data-value="${nv}"][data-row="${nr}"] button`);
    if (el) el.focus();
  }

  // ---------- input: drag with pointer events ----------
  onPointerDown(e) {
    const card = e.target.closest(".card");
    if (card && card.classList.contains("ghost")) return;
    if (!card || e.button > 0) return;
    this.drag = { n: Number(card.dataset.n), el: card, x: e.clientX, y: e.clientY, id: e.pointerId, ghost: null, over: null };
    try { card.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
    const move = (ev) => this.onPointerMove(ev);
    const up = (ev) => { cleanup(); this.onPointerUp(ev); };
    const cancel = () => { cleanup(); this.endDrag(); };
    const cleanup = () => {
      card.removeEventListener("pointermove", move);
      card.removeEventListener("pointerup", up);
      card.removeEventListener("pointercancel", cancel);
    };
    card.addEventListener("pointermove", move);
    card.addEventListener("pointerup", up);
    card.addEventListener("pointercancel", cancel);
  }

  onPointerMove(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    if (!d.ghost) {
      if (Math.hypot(e.clientX - d.x, e.clientY - d.y) < DRAG_START_PX) return;
      d.ghost = d.el.cloneNode(true);
      d.ghost.classList.add("ghost");
      d.ghost.removeAttribute("data-n");
      d.ghost.setAttribute("aria-hidden", "true");
      d.ghost.querySelectorAll("img").forEach((img) => { img.loading = "eager"; });
      const rect = d.el.getBoundingClientRect();
      d.ghost.style.width = `${rect.width}px`;
      d.dx = d.x - rect.left; d.dy = d.y - rect.top;
      document.body.append(d.ghost);
      d.el.classList.add("dragging");
    }
    e.preventDefault();
    d.cx = e.clientX; d.cy = e.clientY;
    // The ghost is position: fixed, so it stays under the finger however the page scrolls.
    d.ghost.style.transform = `translate(${d.cx - d.dx}px, ${d.cy - d.dy}px)`;
    this.updateTarget();
    this.autoScroll();
  }

  /** Highlight the place under the pointer (elementFromPoint sees the page as scrolled now). */
  updateTarget() {
    const d = this.drag;
    const target = this.dropTarget(d.cx, d.cy);
    if (d.over !== target) {
      d.over?.classList.remove("drop-over");
      target?.classList.add("drop-over");
      d.over = target;
    }
  }

  dropTarget(x, y) {
    const el = document.elementFromPoint(x, y);
    if (!el) return null;
    return el.closest(".cell, .col-head, .col, .tray");
  }

  /** Scroll speed (px/s, negative = up) for a pointer at height y; 0 outside the edge bands. */
  edgeSpeed(y) {
    const h = window.innerHeight;
    const dock = document.getElementById("dock");
    const bottom = h - (dock ? dock.offsetHeight : 0);
    const band = Math.min(Math.max(h * EDGE_SHARE, EDGE_MIN_PX), EDGE_MAX_PX);
    let depth = 0;
    if (y < band) depth = -(band - y) / band;
    else if (y > bottom - band) depth = (y - (bottom - band)) / band;
    if (!depth) return 0;
    const k = Math.min(Math.abs(depth), 1);
    return Math.sign(depth) * (SCROLL_MIN + (SCROLL_MAX - SCROLL_MIN) * k * k);
  }

  /** Start the scrolling loop if the pointer is in an edge band (it stops by itself). */
  autoScroll() {
    const d = this.drag;
    if (d.raf || !this.edgeSpeed(d.cy)) return;
    d.last = 0; d.carry = 0;
    document.body.dataset.autoscroll = "on";
    const frame = (now) => {
      if (this.drag !== d) return;
      const speed = this.edgeSpeed(d.cy);
      if (!speed) { d.raf = 0; document.body.dataset.autoscroll = "off"; return; }
      const dt = d.last ? Math.min(now - d.last, 50) : 16;
      d.last = now;
      d.carry += (speed * dt) / 1000;
      const px = Math.trunc(d.carry);
      if (px) {
        d.carry -= px;
        const before = window.scrollY;
        window.scrollBy(0, px);
        if (window.scrollY !== before) this.updateTarget();
      }
      d.raf = requestAnimationFrame(frame);
    };
    d.raf = requestAnimationFrame(frame);
  }

  onPointerUp(e) {
    const d = this.drag;
    if (!d || !d.ghost) { this.endDrag(); return; }
    const target = this.dropTarget(e.clientX, e.clientY);
    this.endDrag();
    this.suppressClick = true;
    setTimeout(() => { this.suppressClick = false; }, 0);
    this.by = "drag";
    this.dropOn(d.n, target);
  }

  dropOn(n, target) {
    if (!target) { this.render(); return; }
    if (target.classList.contains("cell")) { this.moveTo(n, Number(target.dataset.value), Number(target.dataset.row)); return; }
    if (target.classList.contains("tray")) {
      if (n in this.state.grid) this.back(n); else this.render();
      return;
    }
    const col = target.closest(".col");
    if (col) this.moveToColumn(n, Number(col.dataset.value));
  }

  endDrag() {
    const d = this.drag;
    if (!d) return;
    if (d.raf) cancelAnimationFrame(d.raf);
    document.body.dataset.autoscroll = "off";
    d.ghost?.remove();
    d.over?.classList.remove("drop-over");
    d.el.classList.remove("dragging");
    this.drag = null;
  }
}

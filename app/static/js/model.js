// The participant's state and the pure operations on it (no DOM here).
// state = { v, stage, order, piles: {n: pile}, history: [n], grid: {n: [value, row]},
//           comments: {n: text}, answers: {key: value}, submitKey, finishKey, changedAt,
//           textSize: 1..4, trace: { t0, steps: {stage: ms}, moves: [move] } }
// A move is { n, from, to, t, by, undo }: places are "deck", "pile:<name>" or
// "grid:<value>:<row>", t is ms since t0, by is "drag", "tap" or "keyboard".

export const PILES = ["disagree", "neutral", "agree"];
export const STAGES = ["instructions", "presort", "sort", "postsort", "survey"];

/** A fresh state: cards in a random order, nothing sorted yet. */
export function initialState(statements, random = Math.random, now = Date.now()) {
  const order = statements.map((s) => s.n);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { v: 1, stage: "instructions", order, piles: {}, history: [], grid: {},
           comments: {}, answers: {}, submitKey: null, finishKey: null, changedAt: 0,
           textSize: 1, trace: newTrace(now) };
}

export function newTrace(now = Date.now()) {
  return { t0: now, steps: {}, moves: [] };
}

/** Where card n is now, as the trace names places. */
export function placeOf(state, n) {
  if (n in state.grid) return `grid:${state.grid[n][0]}:${state.grid[n][1]}`;
  if (n in state.piles) return `pile:${state.piles[n]}`;
  return "deck";
}

/** Add a move to the trace (from and to as placeOf gives them; by: drag, tap or keyboard). */
export function logMove(state, n, from, to, by, undo = false, now = Date.now()) {
  if (from === to) return;
  state.trace.moves.push({ n, from, to, t: Math.max(0, now - state.trace.t0), by, undo });
}

/** Add the time spent on a step (ms) to the trace. */
export function addStepTime(state, stage, ms) {
  if (!stage || !(ms > 0)) return;
  state.trace.steps[stage] = (state.trace.steps[stage] || 0) + ms;
}

/** A random key for idempotent submits (works without a secure context, unlike randomUUID). */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function nextPresortCard(state) {
  return state.order.find((n) => !(n in state.piles)) ?? null;
}

export function pileCounts(state) {
  const counts = { disagree: 0, neutral: 0, agree: 0 };
  for (const n of state.order) if (state.piles[n]) counts[state.piles[n]] += 1;
  return counts;
}

export function assignPile(state, n, pile) {
  state.piles[n] = pile;
  state.history.push(n);
}

/** Undo the last pre-sort choice; returns the card number put back, or null. */
export function undoPresort(state) {
  const n = state.history.pop();
  if (n === undefined) return null;
  delete state.piles[n];
  delete state.grid[n];
  return n;
}

/** Card number at (value, row), or null. */
export function occupant(state, value, row) {
  for (const [n, [v, r]] of Object.entries(state.grid)) if (v === value && r === row) return Number(n);
  return null;
}

export function columnCount(state, value) {
  return Object.values(state.grid).filter(([v]) => v === value).length;
}

export function capacityOf(grid, value) {
  return grid.capacities[grid.values.indexOf(value)] ?? 0;
}

export function firstFreeRow(state, grid, value) {
  for (let r = 0; r < capacityOf(grid, value); r += 1) if (occupant(state, value, r) === null) return r;
  return -1;
}

/** Put card n at (value, row); a card already there goes where n came from. Returns it or null. */
export function place(state, n, value, row) {
  const other = occupant(state, value, row);
  if (other === n) return null;
  const from = state.grid[n];
  state.grid[n] = [value, row];
  if (other === null) return null;
  if (from) state.grid[other] = from;
  else delete state.grid[other];
  return other;
}

export function sendBack(state, n) {
  delete state.grid[n];
}

export function trayCards(state, pile) {
  return state.order.filter((n) => !(n in state.grid) && (state.piles[n] ?? "neutral") === pile);
}

export function placedCount(state) {
  return Object.keys(state.grid).length;
}

/** True when every card lies on the grid and no column is over its capacity. */
export function isComplete(state, grid) {
  if (placedCount(state) !== state.order.length) return false;
  return grid.values.every((v) => columnCount(state, v) <= capacityOf(grid, v));
}

export function placements(state) {
  return Object.entries(state.grid).map(([n, [value, row]]) => ({ statement: Number(n), value, row }));
}

/** The column values at the two ends of the grid (ignoring empty columns). */
export function extremeValues(grid) {
  const used = grid.values.filter((v, i) => grid.capacities[i] > 0);
  return [used[0], used[used.length - 1]];
}

export function formatValue(v) {
  return v > 0 ? `+${v}` : String(v);
}

/** Fill {name} placeholders in a catalogue string. */
export function fmt(text, params = {}) {
  return String(text).replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

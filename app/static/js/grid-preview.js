// The designer's live grid preview: draws the columns' shape and says whether it fits the Q-set.
const form = document.getElementById("design-form");
const preview = document.getElementById("grid-preview");
const fit = document.getElementById("grid-fit");
// The statements panel carries the number of saved statements (they are edited on their page).
const count = parseInt(form.querySelector("[data-statements]").dataset.statements, 10) || 0;

function grid() {
  const low = parseInt(form.querySelector("[data-grid-low]").value, 10);
  const high = parseInt(form.querySelector("[data-grid-high]").value, 10);
  const caps = form.querySelector("[data-grid-caps]").value.split(/[\s,;]+/)
    .filter((c) => c !== "").map((c) => parseInt(c, 10));
  return { low, high, caps, forced: form.querySelector("[data-grid-forced]").checked };
}

function draw() {
  const n = count;
  const g = grid();
  preview.replaceChildren();
  const columns = g.high - g.low + 1;
  if (!(columns > 0) || g.caps.length !== columns || g.caps.some((c) => !(c >= 0))) {
    fit.textContent = `Give one number of cards for each of the ${columns > 0 ? columns : "?"} columns.`;
    fit.className = "error";
    return;
  }
  g.caps.forEach((cap, i) => {
    const col = document.createElement("div");
    col.className = "preview-col";
    for (let r = 0; r < cap; r += 1) {
      const cell = document.createElement("span");
      cell.className = "preview-cell";
      col.append(cell);
    }
    const label = document.createElement("span");
    const value = g.low + i;
    label.className = "preview-value";
    label.textContent = value > 0 ? `+${value}` : String(value);
    col.append(label);
    preview.append(col);
  });
  const room = g.caps.reduce((a, b) => a + b, 0);
  const ok = g.forced ? room === n : room >= n;
  fit.className = ok ? "" : "error";
  fit.textContent = ok
    ? `The grid holds ${room} cards for ${n} statements.`
    : `The grid holds ${room} cards but there are ${n} statements${g.forced ? ": a forced grid must hold exactly as many" : ""}.`;
}

form.addEventListener("input", draw);
draw();

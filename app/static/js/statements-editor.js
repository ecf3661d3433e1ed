// The statements editor, enhanced: the keyboard focus stays on a moved card's button, and the
// paste box counts its lines. Every form works without this module.
const params = new URLSearchParams(window.location.search);

function keepFocus() {
  const direction = params.get("focus");
  const card = document.getElementById(`card-${params.get("n")}`);
  if (!card || !direction) return;
  const same = card.querySelector(`button[name=direction][value=${direction}]`);
  const other = card.querySelector("button[name=direction]:not(:disabled)");
  const target = same && !same.disabled ? same : other;
  if (target) target.focus();
}

function countLines(box) {
  const out = document.getElementById(box.dataset.lineCount);
  const update = () => {
    const n = box.value.split("\n").filter((line) => line.trim() !== "").length;
    out.textContent = n ? `${n} statement${n === 1 ? "" : "s"} to add` : "";
  };
  box.addEventListener("input", update);
  update();
}

// After the load, when the browser has scrolled to the card named in the address.
if (document.readyState === "complete") keepFocus();
else window.addEventListener("load", keepFocus);
document.querySelectorAll("textarea[data-line-count]").forEach(countLines);

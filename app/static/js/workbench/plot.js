// The two-factor loadings plot: drag to turn the plane, or type an angle; every step is
// recorded in the form and can be undone. The preview turns the points with the step's own
// formula; the numbers on the page come from qsort after the analysis is run again.
import { describe, readSteps, turn, writeSteps } from "./steps.js";

const SVG = "http://www.w3.org/2000/svg";

function make(name, attrs) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

export function setupPlot(data, form) {
  const svg = document.getElementById("wb-plot");
  if (!svg) return;
  const stepsField = form.querySelector("#wb-steps");
  const axisA = document.getElementById("wb-axis-a");
  const axisB = document.getElementById("wb-axis-b");
  const angle = document.getElementById("wb-angle");
  const list = document.getElementById("wb-step-list");
  const saved = readSteps(stepsField).length;
  let preview = data.loadings.map((row) => row.slice());
  let drag = null;

  const axes = () => [Number(axisA.value), Number(axisB.value)];

  function draw(points) {
    svg.querySelectorAll(".wb-dot, .wb-axis, .wb-ring, .wb-label").forEach((n) => n.remove());
    svg.append(make("circle", { class: "wb-ring", cx: 0, cy: 0, r: 1 }));
    svg.append(make("line", { class: "wb-axis", x1: -1.05, y1: 0, x2: 1.05, y2: 0 }));
    svg.append(make("line", { class: "wb-axis", x1: 0, y1: -1.05, x2: 0, y2: 1.05 }));
    const [a, b] = axes();
    points.forEach((row, j) => {
      const flagged = data.flags[j][a - 1] || data.flags[j][b - 1];
      const dot = make("circle", {
        class: flagged ? "wb-dot flagged" : "wb-dot",
        cx: row[a - 1],
        cy: -row[b - 1],
        r: 0.03,
      });
      const title = make("title", {});
      title.textContent = `${data.sorts[j]}: ${row[a - 1].toFixed(2)}, ${row[b - 1].toFixed(2)}`;
      dot.append(title);
      const label = make("text", { class: "wb-label", x: row[a - 1] + 0.04, y: -row[b - 1] - 0.03 });
      label.textContent = data.sorts[j];
      svg.append(dot, label);
    });
  }

  function list_steps() {
    list.replaceChildren(
      ...readSteps(stepsField).map((step, k) => {
        const item = document.createElement("li");
        item.textContent = describe(step, data.factors) + (k < saved ? "" : " (not yet run)");
        return item;
      }),
    );
  }

  function record(degrees) {
    const [a, b] = axes();
    if (a === b || !Number.isFinite(degrees) || degrees === 0) return;
    const steps = readSteps(stepsField);
    steps.push({ factor_a: a, factor_b: b, degrees });
    writeSteps(stepsField, steps);
    preview = turn(preview, a, b, degrees);
    draw(preview);
    list_steps();
  }

  function undo() {
    const steps = readSteps(stepsField);
    const last = steps.pop();
    if (!last) return;
    writeSteps(stepsField, steps);
    preview = turn(preview, last.factor_a, last.factor_b, -last.degrees);
    draw(preview);
    list_steps();
  }

  function pointerAngle(event) {
    const box = svg.getBoundingClientRect();
    const x = event.clientX - (box.left + box.width / 2);
    const y = (box.top + box.height / 2) - event.clientY;
    return (Math.atan2(y, x) * 180) / Math.PI;
  }

  svg.addEventListener("pointerdown", (event) => {
    drag = { start: pointerAngle(event), degrees: 0 };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    drag.degrees = Math.round((pointerAngle(event) - drag.start) * 2) / 2;
    const [a, b] = axes();
    draw(turn(preview, a, b, drag.degrees));
    angle.value = String(drag.degrees);
  });
  svg.addEventListener("pointerup", () => {
    if (drag) record(drag.degrees);
    drag = null;
  });
  document.getElementById("wb-apply").addEventListener("click", () => record(Number(angle.value)));
  document.getElementById("wb-undo").addEventListener("click", undo);
  axisA.addEventListener("change", () => draw(preview));
  axisB.addEventListener("change", () => draw(preview));
  draw(preview);
  list_steps();
}

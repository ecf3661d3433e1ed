// Paper-entry form: check each column as its numbers are typed, in the server's own words.
// The server checks again on saving; this only spares a round trip. No data leaves the page.
const config = JSON.parse(document.getElementById("paper-config").textContent);
const known = new Set(Object.keys(config.statements).map(Number));
const capacityOf = new Map(config.values.map((v, i) => [v, config.capacities[i]]));
const columns = [...document.querySelectorAll(".paper-column")];
const problemList = document.getElementById("paper-problems");
const progress = document.getElementById("paper-progress");

/** A catalogue sentence with its {placeholders} filled ({value:+d} as Python writes it). */
export function say(code, params) {
  const template = config.strings[`problem.${code}`] || code;
  return template.replace(/\{(\w+)(:\+d)?\}/g, (_, name, signed) => {
    const v = params[name];
    return signed && v >= 0 ? `+${v}` : String(v);
  });
}

/** Numbers typed in one column, and the tokens that are not numbers. */
export function readColumn(text) {
  const numbers = [];
  const bad = [];
  text.trim().split(/[\s,;]+/).filter(Boolean).forEach((token, i) => {
    if (/^\d{1,6}$/.test(token)) numbers.push(Number(token));
    else bad.push({ place: i + 1, text: token });
  });
  return { numbers, bad };
}

/** Every problem found so far, and each column's cells marked good or bad. */
export function check(typed) {
  const problems = [];
  const marks = new Map();
  const where = new Map();
  for (const [value, { numbers, bad }] of typed) {
    const cap = capacityOf.get(value);
    for (const b of bad) problems.push({ values: [value], text: say("paper_not_a_number", { value, ...b }) });
    if (numbers.length > cap) {
      problems.push({ values: [value], text: say("paper_over_capacity", { value, found: numbers.length, capacity: cap }) });
    }
    numbers.forEach((n, i) => {
      if (!known.has(n)) problems.push({ values: [value], text: say("paper_unknown_statement", { value, place: i + 1, statement: n }) });
      where.set(n, [...(where.get(n) || []), value]);
    });
    marks.set(value, numbers.map((n, i) => (!known.has(n) ? "bad" : i >= cap ? "over" : "ok")));
  }
  for (const [n, cols] of where) {
    if (cols.length < 2) continue;
    const list = [...new Set(cols)].map((v) => (v >= 0 ? `+${v}` : String(v))).join(", ");
    problems.push({ values: cols, text: say("paper_duplicate", { statement: n, count: cols.length, columns: list }) });
    for (const v of new Set(cols)) marks.set(v, marks.get(v).map((m, i) => (typed.get(v).numbers[i] === n ? "bad" : m)));
  }
  const missing = [...known].filter((n) => !where.has(n)).sort((a, b) => a - b);
  return { problems, marks, missing };
}

function drawCells(column, numbers, marks) {
  const value = Number(column.dataset.value);
  const list = column.querySelector(".paper-cells");
  const cells = Math.max(capacityOf.get(value), numbers.length);
  list.replaceChildren(...Array.from({ length: cells }, (_, i) => {
    const li = document.createElement("li");
    li.className = `paper-cell ${i < numbers.length ? marks[i] : "empty"}`;
    if (i < numbers.length) {
      li.textContent = String(numbers[i]);
      li.title = config.statements[String(numbers[i])] || "";
    }
    return li;
  }));
}

function update() {
  const typed = new Map(columns.map((c) => [Number(c.dataset.value), readColumn(c.querySelector("input").value)]));
  const { problems, marks, missing } = check(typed);
  for (const column of columns) {
    const value = Number(column.dataset.value);
    drawCells(column, typed.get(value).numbers, marks.get(value));
    const wrong = problems.some((p) => p.values.includes(value));
    column.querySelector("input").setAttribute("aria-invalid", wrong ? "true" : "false");
  }
  problemList.replaceChildren(...problems.map((p) => {
    const li = document.createElement("li");
    li.textContent = p.text;
    return li;
  }));
  const total = known.size;
  const typedCount = total - missing.length;
  progress.textContent = missing.length === 0
    ? `All ${total} cards typed.`
    : `${typedCount} of ${total} cards typed. Still to type: ${missing.join(", ")}.`;
  document.body.dataset.paperProblems = String(problems.length);
}

for (const column of columns) column.querySelector("input").addEventListener("input", update);
// Correcting a double entry: the form holds the typing chosen as wrong, ready to edit.
for (const radio of document.querySelectorAll("input[name=which]")) {
  radio.addEventListener("change", () => {
    const typing = config.typings[radio.value] || {};
    for (const column of columns) column.querySelector("input").value = typing[column.dataset.value] || "";
    update();
  });
}
update();

// The survey step: the study's questions (free text, one choice, several choices, a scale),
// each answer kept with the participant's work as it is given. The sort page loads this module
// when the participant reaches the step; the functions the steps share come in as `shared`
// = { state, config, t, speakButton, changed, showProblems } (see app.js).

/** What the sort page shares with this step, set by the first call into the module. */
let page = null;

export function renderSurvey(shared) {
  page = shared;
  const form = document.getElementById("survey-form");
  form.replaceChildren(...page.config.questions.map(questionField));
}

function promptSpan(q) {
  const span = document.createElement("span");
  span.id = `qtext-${q.key}`;
  span.textContent = q.prompt;
  return span;
}

function questionSpeaker(q) {
  return page.config.study.readAloud ? [page.speakButton(`el:qtext-${q.key}`, page.t("js.speak.read"), { withLabel: true })] : [];
}

function questionField(q) {
  const needed = q.required ? ` (${page.t("js.survey.required")})` : ` (${page.t("js.survey.optional")})`;
  if (q.kind === "text") return textQuestion(q, needed);
  const fs = document.createElement("fieldset");
  fs.className = "question";
  fs.dataset.key = q.key;
  fs.dataset.kind = q.kind;
  const lg = document.createElement("legend");
  lg.append(promptSpan(q), needed);
  fs.append(lg, ...questionSpeaker(q));
  if (q.kind === "multiple") {
    fs.append(questionHint(q, page.t("js.survey.several")));
    for (const o of q.options) fs.append(checkboxOption(q, o));
  } else if (q.kind === "scale") {
    const ends = [q.options[0], q.options[q.options.length - 1]];
    fs.append(questionHint(q, page.t("js.survey.scale", { low: ends[0].value, high: ends[1].value })));
    fs.append(scalePoints(q));
  } else {
    for (const o of q.options) fs.append(radioOption(q, o, `${o.label}`));
  }
  return fs;
}

/** A line under the question saying how to answer, read with each of its inputs. */
function questionHint(q, text) {
  const hint = document.createElement("p");
  hint.className = "question-hint";
  hint.id = `qhint-${q.key}`;
  hint.textContent = text;
  return hint;
}

function radioOption(q, o, label, className = "option") {
  const lab = document.createElement("label");
  lab.className = className;
  const input = document.createElement("input");
  input.type = "radio";
  input.name = q.key;
  input.value = o.value;
  input.checked = page.state.answers[q.key] === o.value;
  if (q.kind === "scale") input.setAttribute("aria-describedby", `qhint-${q.key}`);
  input.addEventListener("change", () => { page.state.answers[q.key] = o.value; page.changed(); markAnswered(q); });
  lab.append(input);
  if (typeof label === "string") lab.append(document.createTextNode(` ${label}`)); else lab.append(...label);
  return lab;
}

function checkboxOption(q, o) {
  const lab = document.createElement("label");
  lab.className = "option";
  const input = document.createElement("input");
  input.type = "checkbox";
  input.name = q.key;
  input.value = o.value;
  input.setAttribute("aria-describedby", `qhint-${q.key}`);
  const chosen = () => (Array.isArray(page.state.answers[q.key]) ? page.state.answers[q.key] : []);
  input.checked = chosen().includes(o.value);
  input.addEventListener("change", () => {
    const keep = new Set(chosen());
    if (input.checked) keep.add(o.value); else keep.delete(o.value);
    page.state.answers[q.key] = q.options.map((x) => x.value).filter((v) => keep.has(v));
    page.changed();
    markAnswered(q);
  });
  lab.append(input, document.createTextNode(` ${o.label}`));
  return lab;
}

/** A scale: its numbers in a row (wrapping when the room or the text size asks), the labels
 *  of its two ends above them and, for screen readers, in the end points' own names. */
function scalePoints(q) {
  const wrap = document.createElement("div");
  wrap.className = "scale";
  wrap.style.setProperty("--points", String(q.options.length)); // CSSOM: allowed by the CSP
  const first = q.options[0];
  const last = q.options[q.options.length - 1];
  if (first.label || last.label) {
    const ends = document.createElement("div");
    ends.className = "scale-ends";
    ends.setAttribute("aria-hidden", "true");
    for (const [o, side] of [[first, "low"], [last, "high"]]) {
      const span = document.createElement("span");
      span.className = `scale-end scale-${side}`;
      span.textContent = o.label ? `${o.value}\u00a0=\u00a0${o.label}` : ""; // "10 =" never split
      ends.append(span);
    }
    wrap.append(ends);
  }
  const row = document.createElement("div");
  row.className = "scale-points";
  for (const o of q.options) {
    const num = document.createElement("span");
    num.className = "scale-number";
    num.textContent = o.value;
    const parts = [num];
    if (o.label) {
      const name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = ` (${o.label})`;
      parts.push(name);
    }
    row.append(radioOption(q, o, parts, "scale-point"));
  }
  wrap.append(row);
  return wrap;
}

function textQuestion(q, needed) {
  const wrap = document.createElement("div");
  wrap.className = "question";
  wrap.dataset.key = q.key;
  const lab = document.createElement("label");
  lab.htmlFor = `q-${q.key}`;
  lab.append(promptSpan(q), needed);
  const area = document.createElement("textarea");
  area.id = `q-${q.key}`;
  area.rows = 3;
  area.maxLength = 4000;
  area.value = typeof page.state.answers[q.key] === "string" ? page.state.answers[q.key] : "";
  area.addEventListener("input", () => { page.state.answers[q.key] = area.value; page.changed(); markAnswered(q); });
  wrap.append(lab, ...questionSpeaker(q), area);
  return wrap;
}

/** True when the question has an answer: text, a choice, or at least one of several. */
function answered(q) {
  const a = page.state.answers[q.key];
  return Array.isArray(a) ? a.length > 0 : Boolean(String(a || "").trim());
}

/** Required questions left empty: named by their text and highlighted, the first focused. */
export function flagMissingAnswers(shared) {
  page = shared;
  const missing = page.config.questions.filter((q) => q.required && !answered(q));
  for (const q of missing) {
    const box = document.querySelector(`.question[data-key="${CSS.escape(q.key)}"]`);
    box.classList.add("invalid");
    for (const input of box.querySelectorAll("input, textarea")) input.setAttribute("aria-invalid", "true");
  }
  if (!missing.length) return false;
  page.showProblems(document.getElementById("finish-problems"), { problems: missing.map((q) => ({ message: page.t("js.survey.missing", { prompt: q.prompt }) })) });
  document.querySelector(".question.invalid input, .question.invalid textarea")?.focus();
  return true;
}

function markAnswered(q) {
  const box = document.querySelector(`.question[data-key="${CSS.escape(q.key)}"]`);
  box.classList.remove("invalid");
  for (const input of box.querySelectorAll("input, textarea")) input.removeAttribute("aria-invalid");
}

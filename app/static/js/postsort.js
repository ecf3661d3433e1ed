// The post-sort step: the participant says why they placed the cards at the two ends of the
// grid. The sort page loads this module when the participant reaches the step, and hands each
// function what it shares with the other steps: page = { state, config, t, byNumber, picture,
// speakButton, changed, goTo }.
import { extremeValues, formatValue } from "./model.js";

/** Show a comment box for every card in the two end columns (most agree first). */
export function renderPostsort(page) {
  const [low, high] = extremeValues(page.config.grid);
  document.getElementById("postsort-help").textContent = page.t(page.config.study.extremesRequired ? "js.postsort.help_required" : "js.postsort.help_optional");
  const list = document.getElementById("postsort-list");
  list.replaceChildren();
  for (const [value, label] of [[high, page.config.study.agreeLabel], [low, page.config.study.disagreeLabel]]) {
    const cards = Object.entries(page.state.grid).filter(([, [v]]) => v === value).map(([n]) => Number(n));
    for (const n of cards.sort((a, b) => a - b)) list.append(commentField(page, n, value, label));
  }
}

function commentField(page, n, value, label) {
  const wrap = document.createElement("div");
  wrap.className = "comment-card";
  const id = `comment-${n}`;
  const lab = document.createElement("label");
  lab.htmlFor = id;
  const badge = document.createElement("span");
  badge.className = value > 0 ? "badge agree" : "badge disagree";
  const num = document.createElement("span");
  num.className = "badge-value";
  num.textContent = formatValue(value);
  badge.append(num, ` ${label}`);
  const text = document.createElement("span");
  text.className = "comment-statement";
  text.id = `comment-text-${n}`;
  text.textContent = `${n}. ${page.byNumber[n].text}`;
  const q = document.createElement("span");
  q.className = "comment-question";
  q.textContent = page.t("js.postsort.why");
  lab.append(badge);
  if (page.byNumber[n].image) lab.append(page.picture(page.byNumber[n], "comment-picture"));
  lab.append(text, q);
  const area = document.createElement("textarea");
  area.id = id;
  area.rows = 3;
  area.maxLength = 4000;
  area.value = page.state.comments[n] || "";
  if (page.config.study.extremesRequired) area.required = true;
  area.addEventListener("input", () => { page.state.comments[n] = area.value; page.changed(); });
  wrap.append(lab);
  if (page.config.study.readAloud) wrap.append(page.speakButton(`card:${n}`, page.t("js.speak.read"), { withLabel: true }));
  wrap.append(area);
  return wrap;
}

/** On to the survey, unless a required comment is left empty (then say so and go to it). */
export function leavePostsort(page) {
  const missing = [...document.querySelectorAll("#postsort-list textarea")].filter((a) => a.required && !a.value.trim());
  const err = document.getElementById("postsort-error");
  if (missing.length) {
    err.textContent = `⚠ ${page.t("js.postsort.missing", { count: missing.length })}`;
    err.hidden = false;
    missing[0].focus();
    return;
  }
  err.hidden = true;
  page.goTo("survey");
}

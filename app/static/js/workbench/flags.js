// The flag grid: one checkbox per sort and factor. Automatic flags (the same options without
// manual flags) are marked "A"; a box that differs from them is a manual flag, marked as such
// ("imported" when an output workbook set it) and kept in the form's hidden field in qsort's
// form ({sort, factor, flagged}).

function manualFlags(data, boxes) {
  const flags = [];
  for (const box of boxes) {
    const j = Number(box.dataset.sort);
    const k = Number(box.dataset.factor);
    if (box.checked !== data.automatic[j][k]) {
      flags.push({ sort: data.sorts[j], factor: data.factors[k], flagged: box.checked });
    }
  }
  return flags;
}

function cell(data, j, k) {
  const td = document.createElement("td");
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = data.flags[j][k];
  box.dataset.sort = String(j);
  box.dataset.factor = String(k);
  box.setAttribute("aria-label", `${data.sorts[j]} defines ${data.factors[k]}`);
  const value = document.createElement("span");
  value.className = "wb-loading";
  value.textContent = data.loadings[j][k].toFixed(2);
  label.append(box, value);
  if (data.automatic[j][k]) {
    const auto = document.createElement("span");
    auto.className = "wb-auto";
    auto.title = "automatic flag";
    auto.textContent = "A";
    label.append(auto);
  }
  td.append(label);
  return td;
}

export function setupFlags(data, form) {
  const body = document.querySelector("#wb-flag-grid tbody");
  const field = form.querySelector("#wb-flags");
  if (!body || !field) return;
  data.sorts.forEach((name, j) => {
    const row = document.createElement("tr");
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = name;
    row.append(head, ...data.factors.map((_, k) => cell(data, j, k)));
    body.append(row);
  });
  const boxes = [...body.querySelectorAll("input[type=checkbox]")];
  const mark = () => {
    for (const box of boxes) {
      const j = Number(box.dataset.sort);
      const k = Number(box.dataset.factor);
      const changed = box.checked !== data.automatic[j][k];
      // A flag the workbook set stays marked "imported" until the box is changed by hand.
      const imported = changed && data.imported[j][k] && box.checked === data.flags[j][k];
      box.closest("td").classList.toggle("wb-imported", imported);
      box.closest("td").classList.toggle("wb-manual", changed && !imported);
    }
    field.value = JSON.stringify(manualFlags(data, boxes));
  };
  body.addEventListener("change", mark);
  mark();
}

export function setupFactorChoices(form) {
  const link = (selector, fieldId) => {
    const field = form.querySelector(fieldId);
    const boxes = [...document.querySelectorAll(selector)];
    const write = () => {
      field.value = boxes.filter((b) => b.checked).map((b) => b.value).join(",");
    };
    boxes.forEach((box) => box.addEventListener("change", write));
  };
  link(".wb-invert", "#wb-inversions");
  link(".wb-split", "#wb-splits");
}

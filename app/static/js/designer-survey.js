// The designer's survey questions: each question shows the fields its kind uses (the options of
// a choice, the ends of a scale) and hides the others. Without this script every field shows,
// each saying which kind it is for; the server reads only the ones the kind needs.
for (const box of document.querySelectorAll("[data-question]")) {
  const kind = box.querySelector("[data-question-kind]");
  const show = () => {
    for (const part of box.querySelectorAll("[data-for]")) {
      part.hidden = !part.dataset.for.split(" ").includes(kind.value);
    }
  };
  kind.addEventListener("change", show);
  show();
}

// Follows a background analysis: asks the server for the run's state (kept in the database)
// after each answer, shows the stage and the bar, and opens the run's page when it is done.
const box = document.getElementById("wb-run");
const bar = document.getElementById("wb-run-bar");
const stage = document.getElementById("wb-run-stage");
const message = document.getElementById("wb-run-message");
const PAUSE_MS = 1000;

async function follow() {
  const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const run = await response.json();
  bar.value = run.progress;
  bar.textContent = `${Math.round(run.progress * 100)}%`;
  stage.textContent = run.stage || run.status;
  box.dataset.status = run.status;
  if (run.status === "failed") {
    message.textContent = run.message;
    message.hidden = false;
  } else if (run.status === "done") {
    window.location.assign(box.dataset.pageUrl);
  } else {
    window.setTimeout(follow, PAUSE_MS);
  }
}

follow();

// The participant's "Ask for help" button. A press tells the facilitator's board (POST
// /api/help; a second press while waiting adds nothing) and says help is coming; while the
// request waits the page asks now and then whether it was answered, and then offers the
// button again. Asking also tells a cleared tablet (the token is refused with 401) even when
// nobody touches it: the page then goes to the start page, which wipes the device's copy.
// What was said shows in a note over the page (it never moves the board); the participant
// may hide it, and it comes back only when there is something new to say.
const button = document.getElementById("help-btn");
const status = document.getElementById("help-status");
const note = document.getElementById("help-note");
const close = document.getElementById("help-note-close");
const POLL_MS = 15000;
let timer = null;

function say(state, text) {
  if (note.dataset.state === state) return; // a poll with nothing new: no second announcement
  status.textContent = text;
  status.dataset.state = state;
  note.dataset.state = state;
  delete note.dataset.hidden;
}

function show(state) {
  button.setAttribute("aria-pressed", state === "waiting" ? "true" : "false");
  say(state, state === "none" ? "" : status.dataset[state]);
}

async function call(method) {
  const res = await fetch(button.dataset.url, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: method === "POST" ? "{}" : undefined,
  });
  if (res.status === 401) {
    window.location.assign(button.dataset.start);
    return null;
  }
  if (!res.ok) throw new Error(`help request answered ${res.status}`);
  return (await res.json()).waiting === true;
}

async function update(method) {
  clearTimeout(timer);
  let waiting;
  try {
    waiting = await call(method);
  } catch (e) {
    if (method === "POST") show("failed");
    timer = setTimeout(() => update("GET"), POLL_MS);
    return;
  }
  if (waiting === null) return;
  show(waiting ? "waiting" : "none");
  timer = setTimeout(() => update("GET"), POLL_MS);
}

if (button && note && close) {
  close.addEventListener("click", () => {
    note.dataset.hidden = "true";
    button.focus();
  });
}
if (button && status && button.dataset.preview) {
  // the designer's preview: nobody to call, and nothing is sent
  button.addEventListener("click", () => {
    delete note.dataset.hidden;
    say("preview", button.dataset.preview);
  });
} else if (button && status) {
  button.addEventListener("click", () => {
    delete note.dataset.hidden; // a press shows what it did, even if the note was hidden
    update("POST");
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") update("GET");
  });
  update("GET");
}

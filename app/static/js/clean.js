// On the join and thanks pages: forget any earlier participant's work kept on this device
// (localStorage and the offline shell in Cache Storage), and (on the thanks page) go back to
// the start after a minute so a shared tablet is ready. On the join page, work that never
// reached the server is kept (with the shell) so that it is not lost, unless the server says
// the device's token was cleared (data-wipe): then the server will never take that work, and
// the next person must find nothing of it.
import { clearAllLocal, forgetShell } from "./sync.js";

const thanks = document.getElementById("thanks");
const start = document.getElementById("start");
const wipe = Boolean(start && start.dataset.wipe);
const kept = clearAllLocal(!thanks && !wipe);
const cleaned = kept ? Promise.resolve() : forgetShell();
cleaned.then(() => { document.body.dataset.clean = "done"; });
if (thanks) setTimeout(() => { window.location.assign(thanks.dataset.start || "/"); }, 60000);

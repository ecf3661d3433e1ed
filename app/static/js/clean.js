// On the join and thanks pages: forget any earlier participant's work kept on this device,
// and (on the thanks page) go back to the start after a minute so a shared tablet is ready.
import { clearAllLocal } from "./sync.js";

const thanks = document.getElementById("thanks");
clearAllLocal(!thanks);
if (thanks) setTimeout(() => { window.location.assign(thanks.dataset.start || "/"); }, 60000);

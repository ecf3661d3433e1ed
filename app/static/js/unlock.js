// The idle lock's code form (see lock.js): sends the resume code the participant typed to the
// server (POST /api/unlock); the right one opens the page again, a wrong one says why. The sort
// page loads this module on the first try, which needs the network anyway.
import { fetchJSON } from "./sync.js";

/** Check the typed code. page = { lock, url, start, t }. */
export async function tryUnlock({ lock, url, start, t }) {
  const err = document.getElementById("lock-error");
  const input = document.getElementById("lock-code");
  const show = (text) => {
    err.textContent = `⚠ ${text}`;
    err.hidden = false;
    input.setAttribute("aria-invalid", "true");
  };
  let res;
  try {
    res = await fetchJSON(url, { method: "POST", body: JSON.stringify({ code: input.value }) });
  } catch (e) {
    show(t("js.lock.offline"));
    return;
  }
  if (res.ok) { lock.unlocked(); return; }
  if (res.status === 401) { window.location.assign(start); return; }
  const wait = res.data && res.data.retry_after;
  const said = (res.data && res.data.message) || t("js.error.generic");
  if (res.status === 429) show(t("js.lock.wait", { seconds: wait }));
  else show(wait ? `${said} ${t("js.lock.wait", { seconds: wait })}` : said);
}

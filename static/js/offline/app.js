/* The observers' offline app, on every page under /report/ (and on any page an observer is logged in).

   Guarantees:
   - After an online login it installs the service worker and asks it to keep the report pages,
     forms and choice lists (from /report/offline/setup.json) for use without a network.
   - With JavaScript, a new report is always saved on the phone first (outbox.js), then sent
     (sender.js): nothing typed is lost if the network fails at that moment. Without JavaScript,
     or if the phone cannot keep it, the form is sent as the plain form it is.
   - The outbox is sent on each page load, when the browser says it is online again, when
     Background Sync fires, and after each wait the server or a failure asked for.
   - Logging out first deletes the pages kept for the observer (their unsent reports stay, to be
     sent after their next login). */

import * as outbox from "./outbox.js";
import * as sender from "./sender.js";

const script = document.querySelector("script[data-app]");
const observer = script.getAttribute("data-observer") || "";
const urls = {
  worker: script.getAttribute("data-worker"),
  scope: script.getAttribute("data-scope"),
  setup: script.getAttribute("data-setup"),
  outbox: script.getAttribute("data-outbox"),
};

export function changed() {
  document.dispatchEvent(new CustomEvent("outbox-change"));
}

export function sendAll(wait = false) {
  return sender.keepSending(observer, changed, wait);
}

async function forgetPages() {
  if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
}

for (const form of document.querySelectorAll("form[action$='/logout/']")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    forgetPages().finally(() => form.submit());
  });
}

/* The kind buttons of /report/new/ go straight to the kind's form (the server would redirect there):
   the same page, online or not, since the forms are kept by their own addresses. */
function chooseDirectly(form) {
  form.addEventListener("submit", (event) => {
    const kind = event.submitter && event.submitter.name === "kind" ? event.submitter.value : "";
    if (!/^[a-z_]+$/.test(kind)) return;
    event.preventDefault();
    const region = form.querySelector("select[name=region]");
    const query = region && region.value ? `?region=${encodeURIComponent(region.value)}` : "";
    location.href = `${new URL(form.action, location.href).pathname}${kind}/${query}`;
  });
}

async function keepForOffline(registration) {
  let response;
  try {
    response = await fetch(urls.setup, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch (error) {
    return; // offline: keep what was kept
  }
  if (!response.ok || response.redirected) return;
  const setup = await response.json();
  await outbox.setMeta("setup", setup);
  const worker = registration.active || (await navigator.serviceWorker.ready).active;
  const kept = new Promise((resolve) => {
    const listen = (event) => {
      if (event.data && event.data.type === "kept") {
        navigator.serviceWorker.removeEventListener("message", listen);
        resolve();
      }
    };
    navigator.serviceWorker.addEventListener("message", listen);
  });
  worker.postMessage({ type: "keep", urls: [...setup.pages, ...setup.assets, location.pathname + location.search] });
  await kept;
  document.documentElement.setAttribute("data-offline-ready", "true");
}

async function start() {
  // Other pages only wipe the kept pages on logout; the app lives under /report/.
  if (!script.hasAttribute("data-install") || !("serviceWorker" in navigator) || !window.indexedDB) return;
  const registration = await navigator.serviceWorker.register(urls.worker, { scope: urls.scope });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "send") sendAll();
  });
  window.addEventListener("online", () => sendAll());
  const choose = document.querySelector("form.choose-kind");
  if (choose) chooseDirectly(choose);
  if (document.querySelector("form.report-form input[name=form_token]")) {
    (await import("./page.js")).reportForm(document.querySelector("form.report-form"), { observer, urls, sendAll });
  }
  if (document.querySelector("[data-outbox]")) {
    (await import("./page.js")).outboxPage(document.querySelector("[data-outbox]"), { observer, urls, sendAll });
  }
  sendAll();
  if (observer && navigator.onLine) await keepForOffline(registration);
}

start();

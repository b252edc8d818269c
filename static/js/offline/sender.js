/* Sending the outbox: one report at a time, in the order they were saved.

   Guarantees:
   - Each report goes to POST /api/v1/reports/ with its own Idempotency-Key (made when it was first
     saved), the observer's session and its CSRF token. However many times an answer is lost and the
     report sent again, the server files it once (the same key and body answer 200 with the report
     already filed).
   - A report whose answer was lost (no answer, a timeout, a 5xx) is kept and sent again, with waits
     that grow from 5 s to 3 minutes; once tried it can no longer be edited (the server may have it).
   - A refusal (4xx) keeps the report, marked refused, with the server's reasons beside its fields.
   - 429 and 503 wait the seconds of Retry-After before the next try.
   - If the session ran out (401/403 not authenticated, or a CSRF refusal), nothing is dropped: the
     reports wait, marked "log in to send", and go after the observer's next login.
   - Only the reports of the observer logged in are sent; a locked report waits for the PIN.
   - Two pages open at once never send at the same time (Web Locks where the browser has them). */

import * as outbox from "./outbox.js";

const API = "/api/v1/reports/";
const TIMEOUT_MS = 120000;
const FIRST_WAIT_MS = 5000;
const LONGEST_WAIT_MS = 180000;
const AUTH_CODES = ["not_authenticated", "authentication_failed"];

let failures = 0;
let timer = null;

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function formData(report) {
  const data = new FormData();
  for (const [name, value] of Object.entries(report.body)) {
    if (value === null || value === undefined) continue;
    // details: one part of JSON text (a plain part: a Blob would arrive as a file)
    data.append(name, name === "details" ? JSON.stringify(value) : String(value));
  }
  for (const file of report.files || []) data.append("attachments", new Blob([file.data], { type: file.type }), file.name);
  return data;
}

async function post(report) {
  const abort = new AbortController();
  const timeout = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    return await fetch(API, {
      method: "POST",
      body: formData(report),
      credentials: "same-origin",
      headers: { Accept: "application/json", "Idempotency-Key": report.key, "X-CSRFToken": csrfToken() },
      signal: abort.signal,
    });
  } finally {
    clearTimeout(timeout);
  }
}

function retryAfter(response) {
  const seconds = parseInt(response.headers.get("Retry-After") || "", 10);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 30) * 1000;
}

async function errorOf(response) {
  try {
    const body = await response.json();
    return body.error || {};
  } catch (error) {
    return {};
  }
}

/* Send what can be sent now. `observer` is the logged-in user's id (empty: nobody is logged in).
   Answers {sent, refused, held, locked, wait} — wait: ms before the next try (0: nothing to retry). */
async function sendNow(observer, onChange) {
  const result = { sent: 0, refused: 0, held: 0, locked: 0, wait: 0 };
  if (navigator.onLine === false) return result; // the "online" event starts again
  for (const row of await outbox.records()) {
    if (!["waiting", "sending", "held"].includes(row.state)) continue;
    const report = await outbox.inner(row);
    if (report === null) { result.locked += 1; continue; }
    if (!observer || String(report.observer) !== String(observer)) { result.held += 1; continue; }
    await outbox.setState(row, { state: "sending", tried: true });
    onChange();
    let response;
    try {
      response = await post(report);
    } catch (error) {
      response = null; // no answer: the server may or may not have it; the same key makes it safe
    }
    if (response && (response.status === 200 || response.status === 201)) {
      const body = await response.json().catch(() => ({}));
      if (body.reference) {
        await outbox.confirm(row, body.reference, `/report/${body.reference}/`);
        result.sent += 1;
        failures = 0;
        onChange();
        continue;
      }
      response = null;
    }
    if (response && (response.status === 429 || response.status === 503)) {
      await outbox.setState(row, { state: "waiting" });
      result.wait = retryAfter(response);
      break;
    }
    if (response && response.status >= 400 && response.status < 500) {
      const error = await errorOf(response);
      const expired = response.status === 401 || AUTH_CODES.includes(error.code)
        || (response.status === 403 && /CSRF/.test(error.message || ""));
      if (expired) {
        await outbox.setState(row, { state: "held" });
        result.held += 1;
        break; // every other report needs the login too
      }
      report.errors = error.fields || {};
      report.message = error.message || String(response.status);
      await outbox.update(row, report, { state: "refused" });
      result.refused += 1;
      onChange();
      continue;
    }
    // A lost answer (or a 5xx): keep it and try again later, with the same key.
    await outbox.setState(row, { state: "waiting" });
    failures += 1;
    result.wait = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - 1));
    break;
  }
  onChange();
  return result;
}

export async function send(observer, onChange = () => {}, wait = false) {
  if (navigator.locks) {
    return navigator.locks.request("notes-outbox", { ifAvailable: !wait }, (lock) =>
      lock ? sendNow(observer, onChange) : { sent: 0, refused: 0, held: 0, locked: 0, wait: 0 });
  }
  return sendNow(observer, onChange);
}

/* Send now, and again after each wait the answers asked for, until nothing is left to retry. */
export function keepSending(observer, onChange = () => {}, wait = false) {
  clearTimeout(timer);
  return send(observer, onChange, wait).then((result) => {
    if (result.wait) timer = setTimeout(() => keepSending(observer, onChange), result.wait);
    return result;
  });
}

/* The pages of the offline app: the new-report form (save on the phone, correct a refused report)
   and the outbox page (list, edit, delete, send, PIN, the carried file, the wipe).

   Guarantees:
   - A report saved from the form keeps the key it got when first saved, through every correction.
   - Only reports not yet sent (never tried, or refused) can be edited or deleted.
   - The carried file holds every report not yet sent, sealed to the site's public key: only the
     site's private key opens it, and any change to it is detected.
   - The wipe deletes every report, setting and kept page, and unregisters the service worker. */

import { randomKey, seal, fromBase64 } from "./crypto.js";
import * as reportForm_ from "./form.js";
import * as outbox from "./outbox.js";

const SEND_WAIT_MS = 15000;

function strings() {
  const node = document.getElementById("offline-strings");
  return node ? node.dataset : {};
}

async function photoMaxPx(setup) {
  const settings = (await outbox.getMeta("settings")) || {};
  return settings.photoMaxPx || (setup && setup.photo_max_px) || 1600;
}

function pinPrompt(container, onUnlocked) {
  const prompt = container.querySelector("[data-pin-prompt]");
  if (!prompt) return;
  prompt.hidden = false;
  prompt.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = prompt.querySelector("input");
    const wrong = prompt.querySelector("[data-pin-wrong]");
    if (await outbox.unlockWith(input.value)) {
      input.value = "";
      prompt.hidden = true;
      if (wrong) wrong.hidden = true;
      onUnlocked();
    } else if (wrong) {
      wrong.hidden = false;
    }
  });
}

export async function reportForm(form, { observer, urls, sendAll }) {
  const saveButton = document.querySelector("[data-save-offline]");
  const errorBox = document.querySelector("[data-outbox-errors]");
  const keptFiles = document.querySelector("[data-kept-files]");
  let editing = null;

  // A form kept for offline use is the same page whatever region was chosen before it: choose it here.
  const chosen = new URLSearchParams(location.search).get("region");
  const regionSelect = form.querySelector("select[name=region]");
  if (chosen && regionSelect && regionSelect.value !== chosen
      && Array.from(regionSelect.options).some((option) => option.value === chosen)) {
    regionSelect.value = chosen;
    regionSelect.dispatchEvent(new Event("change"));
  }

  const id = new URLSearchParams(location.search).get("outbox");
  if (id) {
    const row = await outbox.record(id);
    if (row && outbox.editable(row)) {
      const open = async () => {
        const report = await outbox.inner(row);
        if (!report) return;
        editing = { row, report };
        await reportForm_.fill(form, report.fields);
        if (report.errors || report.message) reportForm_.showErrors(form, report.errors, report.message, errorBox);
        if (keptFiles && report.files.length) {
          keptFiles.hidden = false;
          keptFiles.querySelector("[data-count]").textContent = String(report.files.length);
        }
      };
      if (await outbox.inner(row)) await open();
      else pinPrompt(document, open);
    }
  }

  async function save() {
    const setup = await outbox.getMeta("setup");
    if (!setup || String(setup.observer) !== String(observer)) throw new Error("no setup for this observer");
    const files = await reportForm_.filesOf(form, await photoMaxPx(setup));
    const base = editing ? editing.report : { observer: setup.observer, key: randomKey(), pass: setup.pass, files: [] };
    const report = {
      ...base,
      kind: reportForm_.kindOf(form),
      fields: reportForm_.fieldsOf(form),
      body: reportForm_.bodyOf(form, setup),
      files: files.length ? files : base.files,
      errors: {},
      message: "",
    };
    const row = editing ? await outbox.update(editing.row, report, { state: "waiting" }) : await outbox.saveNew(report);
    editing = { row, report };
    navigator.serviceWorker.ready.then((registration) => registration.sync && registration.sync.register("outbox"))
      .catch(() => {});
    return row;
  }

  async function saveThen(send) {
    let row;
    try {
      row = await save();
    } catch (error) {
      form.setAttribute("data-native", "");
      form.submit(); // the plain form, as without JavaScript
      return;
    }
    if (!send || !navigator.onLine) {
      location.href = `${urls.outbox}?saved=1`;
      return;
    }
    await Promise.race([sendAll(true), new Promise((resolve) => setTimeout(resolve, SEND_WAIT_MS))]);
    const after = await outbox.record(row.id);
    if (after.state === "sent") {
      location.href = `/report/${after.reference}/filed/`;
    } else if (after.state === "refused") {
      const report = await outbox.inner(after);
      editing = { row: after, report };
      history.replaceState(null, "", `${location.pathname}?outbox=${encodeURIComponent(after.id)}`);
      reportForm_.showErrors(form, report.errors, report.message, errorBox);
    } else {
      location.href = `${urls.outbox}?saved=1`;
    }
  }

  form.addEventListener("submit", (event) => {
    if (form.hasAttribute("data-native")) return;
    event.preventDefault();
    saveThen(true);
  });
  if (saveButton) {
    saveButton.hidden = false;
    saveButton.addEventListener("click", () => {
      if (form.reportValidity()) saveThen(false);
    });
  }
}

function download(bytes, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  link.download = name;
  document.body.appendChild(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

export async function outboxPage(root, { observer, sendAll }) {
  const text = strings();
  const list = root.querySelector("[data-outbox-list]");
  const template = root.querySelector("template[data-row]");
  const kinds = Object.fromEntries(Array.from(root.querySelectorAll("[data-kind-label]"))
    .map((node) => [node.getAttribute("data-kind-label"), node.textContent]));
  const note = (name, show) => { const node = root.querySelector(`[data-note=${name}]`); if (node) node.hidden = !show; };
  if (new URLSearchParams(location.search).get("saved")) note("saved", true);

  async function render() {
    const rows = await outbox.records();
    const isLocked = await outbox.locked();
    list.replaceChildren();
    let held = false;
    let sealed = false;
    for (const row of rows) {
      const item = template.content.firstElementChild.cloneNode(true);
      const report = row.state === "sent" ? null : await outbox.inner(row);
      if (row.state !== "sent" && !report) sealed = true;
      if (row.state === "held" || (report && String(report.observer) !== String(observer))) held = true;
      item.setAttribute("data-state", row.state);
      item.setAttribute("data-id", row.id);
      item.querySelector("[data-what]").textContent = report ? (kinds[report.kind] || report.kind)
        : row.state === "sent" ? row.reference : text.lockedReport;
      item.querySelector("[data-when]").textContent = new Date(row.sentAt || row.savedAt).toLocaleString();
      item.querySelector("[data-state-label]").textContent = text[`state_${row.state}`] || row.state;
      const why = item.querySelector("[data-why]");
      if (row.state === "refused" && report) {
        why.textContent = [report.message, ...Object.values(report.errors || {}).flat()].join(" ");
      }
      else why.remove();
      const link = item.querySelector("[data-link]");
      if (row.state === "sent") { link.href = row.url; link.textContent = row.reference; } else link.remove();
      const edit = item.querySelector("[data-edit]");
      const remove = item.querySelector("[data-delete]");
      if (outbox.editable(row) && report) {
        edit.href = `/report/new/${report.kind}/?outbox=${encodeURIComponent(row.id)}`;
        remove.addEventListener("click", async () => {
          if (window.confirm(text.confirmDelete)) { await outbox.remove(row.id); render(); }
        });
      } else { edit.remove(); remove.remove(); }
      list.appendChild(item);
    }
    note("empty", rows.length === 0);
    note("login", held);
    note("locked", isLocked && sealed);
    root.querySelector("[data-pin-set]").hidden = isLocked;
    root.querySelector("[data-pin-on]").hidden = !isLocked;
    const prompt = root.querySelector("[data-pin-prompt]");
    if (prompt && !(isLocked && sealed)) prompt.hidden = true;
    root.setAttribute("data-ready", "true");
  }

  document.addEventListener("outbox-change", () => render());
  root.querySelector("[data-send]").addEventListener("click", () => sendAll());
  if (await outbox.locked()) pinPrompt(root, () => { render(); sendAll(); });

  root.querySelector("[data-pin-set]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = event.target.querySelector("input");
    await outbox.setPin(input.value);
    input.value = "";
    render();
  });

  const size = root.querySelector("[data-photo-size]");
  const settings = (await outbox.getMeta("settings")) || {};
  if (settings.photoMaxPx) size.querySelector("input").value = settings.photoMaxPx;
  size.addEventListener("submit", async (event) => {
    event.preventDefault();
    await outbox.setMeta("settings", { ...settings, photoMaxPx: Number(size.querySelector("input").value) });
    size.querySelector("[data-saved]").hidden = false;
  });

  root.querySelector("[data-export]").addEventListener("click", async () => {
    const setup = await outbox.getMeta("setup");
    const problem = root.querySelector("[data-export-problem]");
    if (!setup || !setup.site_key) { problem.hidden = false; return; }
    const reports = [];
    for (const row of await outbox.records()) {
      if (row.state === "sent") continue;
      const report = await outbox.inner(row);
      if (!report) { root.querySelector("[data-note=locked]").hidden = false; return; }
      reports.push({
        pass: report.pass, key: report.key, body: report.body,
        files: report.files.map((file) => ({ name: file.name, type: file.type, data: file.data })),
      });
    }
    const { toBase64 } = await import("./crypto.js");
    const content = {
      format: "observer-outbox", version: 1, id: randomKey(), created: new Date().toISOString(),
      reports: reports.map((report) => ({ ...report, files: report.files.map((file) => ({ ...file, data: toBase64(file.data) })) })),
    };
    const sealed = await seal(fromBase64(setup.site_key), new TextEncoder().encode(JSON.stringify(content)));
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
    download(sealed, `notes-${stamp}.bin`);
  });

  root.querySelector("[data-wipe]").addEventListener("click", async () => {
    if (!window.confirm(text.confirmWipe)) return;
    await outbox.wipe();
    if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
    try { localStorage.clear(); sessionStorage.clear(); } catch (error) { /* not available */ }
    location.replace("/");
  });

  render();
}

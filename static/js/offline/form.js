/* A new-report form, kept on the phone: from the form to a report for the outbox, and back.

   Guarantees:
   - Every field the observer filled is kept as typed (to fill the form again for a correction),
     together with the body the API takes (region and station codes, local times, typed details).
   - Photos are redrawn on a canvas, at most `maxPx` pixels on the long side (the observer's
     setting), before they are kept: what is kept has no location or camera data. Other files are
     kept as they are (the server cleans every file again when it arrives).
   - The server's reasons go beside the fields they name ("details.people_detained" beside
     "How many people were detained?"). */

const SKIP = new Set(["csrfmiddlewaretoken", "form_token", "attachments"]);
const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

export function kindOf(form) {
  const match = location.pathname.match(/\/report\/new\/([^/]+)\//);
  return match ? match[1] : form.getAttribute("data-kind");
}

function localTime(date, time) {
  if (!date) return null;
  return `${date}T${time || "12:00"}`;
}

function elementsNamed(form, name) {
  return Array.from(form.elements).filter((element) => element.name === name);
}

/* The fields as typed: [[name, value], ...] (files apart). */
export function fieldsOf(form) {
  const fields = [];
  for (const [name, value] of new FormData(form).entries()) {
    if (!SKIP.has(name) && typeof value === "string") fields.push([name, value]);
  }
  return fields;
}

/* The API's body for the fields of `form`; `setup` maps the form's region and station ids to codes. */
export function bodyOf(form, setup) {
  const data = new FormData(form);
  const body = { kind: kindOf(form) };
  const details = {};
  const station = form.querySelector("select[name=polling_station]");
  for (const name of new Set(Array.from(form.elements).map((element) => element.name).filter(Boolean))) {
    if (SKIP.has(name)) continue;
    const elements = elementsNamed(form, name);
    const first = elements[0];
    const inDetails = name.startsWith("detail-");
    let key = inDetails ? name.slice("detail-".length) : name;
    let value;
    if (/_1$/.test(key) && first.type === "time") continue;
    if (/_0$/.test(key) && first.type === "date") {
      key = key.slice(0, -2);
      value = localTime(data.get(name), data.get(name.slice(0, -2) + "_1"));
    } else if (first.type === "checkbox" && elements.length > 1) {
      value = data.getAll(name);
    } else if (first.type === "checkbox") {
      value = first.checked;
    } else if (first.type === "number") {
      value = data.get(name) === "" ? null : Number(data.get(name));
    } else if (first.tagName === "SELECT" && Array.from(first.options).some((option) => option.value === "unknown")
               && Array.from(first.options).some((option) => option.value === "true")) {
      value = { true: true, false: false }[data.get(name)] ?? null;
    } else {
      value = data.get(name);
      if (value === "") value = null;
    }
    if (key === "region" && value) value = setup.regions[value] || null;
    if (key === "polling_station" && value) {
      const option = station && station.selectedOptions[0];
      value = (option && option.getAttribute("data-number")) || setup.stations[value] || null;
    }
    if (value === null || value === undefined) continue;
    if (inDetails) details[key] = value;
    else body[key] = value;
  }
  if (form.querySelector("[name^='detail-']")) body.details = details;
  return body;
}

async function redraw(file, maxPx) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
  return { name, type: "image/jpeg", data: await blob.arrayBuffer() };
}

/* The chosen files, photos redrawn; [] when none were chosen. */
export async function filesOf(form, maxPx) {
  const input = form.querySelector("input[type=file][name=attachments]");
  const files = [];
  for (const file of input ? Array.from(input.files) : []) {
    if (PHOTO_TYPES.includes(file.type)) {
      try { files.push(await redraw(file, maxPx)); continue; } catch (error) { /* kept as it is */ }
    }
    files.push({ name: file.name, type: file.type || "application/octet-stream", data: await file.arrayBuffer() });
  }
  return files;
}

function waitFor(check, ms) {
  return new Promise((resolve) => {
    const started = Date.now();
    (function poll() {
      if (check() || Date.now() - started > ms) resolve();
      else setTimeout(poll, 50);
    })();
  });
}

/* Fill `form` with kept fields (the region first, so that its stations are listed). */
export async function fill(form, fields) {
  const region = fields.find(([name]) => name === "region");
  const regionSelect = form.querySelector("select[name=region]");
  if (region && regionSelect && regionSelect.value !== region[1]) {
    regionSelect.value = region[1];
    regionSelect.dispatchEvent(new Event("change"));
  }
  const station = fields.find(([name]) => name === "polling_station");
  const stationSelect = form.querySelector("select[name=polling_station]");
  if (station && station[1] && stationSelect) {
    await waitFor(() => Array.from(stationSelect.options).some((option) => option.value === station[1]), 3000);
  }
  for (const element of Array.from(form.elements)) {
    if (!element.name || SKIP.has(element.name)) continue;
    const values = fields.filter(([name]) => name === element.name).map(([, value]) => value);
    if (element.type === "checkbox") element.checked = values.includes(element.value);
    else if (element.type !== "file" && element.type !== "submit" && element.type !== "button") {
      element.value = values.length ? values[0] : "";
    }
  }
}

function formName(apiName) {
  const parts = apiName.split(".");
  if (parts[0] === "details" && parts.length > 1) return `detail-${parts[1]}`;
  return parts[0];
}

/* Show the server's reasons: beside each field it names, the rest above the form. */
export function showErrors(form, errors, message, box) {
  form.querySelectorAll("[data-outbox-error]").forEach((node) => node.remove());
  form.querySelectorAll(".field.has-error[data-outbox-marked]").forEach((node) => node.classList.remove("has-error"));
  const general = [];
  for (const [name, messages] of Object.entries(errors || {})) {
    const field = form.querySelector(`[name="${formName(name)}"], [name="${formName(name)}_0"]`);
    const wrapper = field && field.closest(".field");
    if (!wrapper) { general.push(...messages); continue; }
    const list = document.createElement("ul");
    list.className = "errorlist";
    list.setAttribute("data-outbox-error", "");
    for (const text of messages) {
      const item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    }
    wrapper.classList.add("has-error");
    wrapper.setAttribute("data-outbox-marked", "");
    wrapper.insertBefore(list, wrapper.firstChild);
  }
  if (box) {
    box.hidden = false;
    box.querySelector("[data-outbox-message]").textContent = [message, ...general].filter(Boolean).join(" ");
    box.focus();
  }
}

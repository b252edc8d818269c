/* The outbox: the reports kept on this phone, in IndexedDB (database "notes").

   Guarantees:
   - A saved report keeps every field, its files (as bytes) and its idempotency key, made here
     when it is first saved and never changed afterwards, whatever is edited.
   - Reports keep the order they were saved in (a sequence number), and are sent in that order.
   - With a PIN lock, everything of a report but its state and its sequence number is stored
     sealed to the lock's public key (crypto.js): reading needs the PIN; saving does not.
   - A report the server confirmed keeps only its reference and link: its fields and files are
     deleted from the phone.
   - wipe() deletes the whole database.
   Record: {id, seq, state: waiting|sending|held|refused|sent, tried, savedAt, plain | sealed,
   reference, url}; the inner report: {observer, key, kind, fields, body, files, pass, errors, message}. */

import { fromBase64, makeLock, open, seal, toBase64, unlock } from "./crypto.js";

const NAME = "notes";
let database = null;
let lockKey = null; // the lock's private key while the outbox is unlocked (memory only)

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function db() {
  if (database) return Promise.resolve(database);
  const req = indexedDB.open(NAME, 1);
  req.onupgradeneeded = () => {
    req.result.createObjectStore("reports", { keyPath: "id" });
    req.result.createObjectStore("meta", { keyPath: "name" });
  };
  return request(req).then((opened) => {
    database = opened;
    database.onversionchange = () => { database.close(); database = null; };
    return database;
  });
}

async function store(name, mode) {
  return (await db()).transaction(name, mode).objectStore(name);
}

export async function getMeta(name) {
  const row = await request((await store("meta", "readonly")).get(name));
  return row ? row.value : null;
}

export async function setMeta(name, value) {
  await request((await store("meta", "readwrite")).put({ name, value }));
}

export async function records() {
  const all = await request((await store("reports", "readonly")).getAll());
  return all.sort((a, b) => a.seq - b.seq);
}

export async function record(id) {
  return request((await store("reports", "readonly")).get(id));
}

export async function put(row) {
  await request((await store("reports", "readwrite")).put(row));
  return row;
}

export async function remove(id) {
  await request((await store("reports", "readwrite")).delete(id));
}

function encode(inner) {
  const files = (inner.files || []).map((file) => ({ name: file.name, type: file.type, data: toBase64(file.data) }));
  return new TextEncoder().encode(JSON.stringify({ ...inner, files }));
}

function decode(bytes) {
  const inner = JSON.parse(new TextDecoder().decode(bytes));
  inner.files = inner.files.map((file) => ({ ...file, data: fromBase64(file.data).buffer }));
  return inner;
}

export async function locked() {
  return Boolean(await getMeta("lock"));
}

export function isUnlocked() {
  return lockKey !== null;
}

/* Store `inner` in `row`: sealed when a lock is set, else as it is. */
async function wrap(row, inner) {
  const lock = await getMeta("lock");
  delete row.plain;
  delete row.sealed;
  if (lock) row.sealed = await seal(lock.publicRaw, encode(inner));
  else row.plain = inner;
  return row;
}

/* The report inside `row`, or null while it is locked. */
export async function inner(row) {
  if (row.plain) return row.plain;
  if (!row.sealed) return null;
  if (!lockKey) return null;
  return decode(await open(lockKey, row.sealed));
}

export async function saveNew(report) {
  const seq = ((await getMeta("seq")) || 0) + 1;
  await setMeta("seq", seq);
  const row = { id: report.key, seq, state: "waiting", tried: false, savedAt: new Date().toISOString() };
  return put(await wrap(row, report));
}

export async function update(row, report, changes = {}) {
  return put(await wrap(Object.assign(row, changes), report));
}

export async function setState(row, changes) {
  return put(Object.assign(row, changes));
}

/* The report was filed: keep only its reference and its link. */
export async function confirm(row, reference, url) {
  delete row.plain;
  delete row.sealed;
  return put(Object.assign(row, { state: "sent", reference, url, sentAt: new Date().toISOString() }));
}

export function editable(row) {
  return row.state === "refused" || (row.state === "waiting" && !row.tried);
}

/* Set a PIN: every report kept in the clear is sealed. Refused if a lock exists. */
export async function setPin(pin) {
  if (await locked()) throw new Error("locked");
  const made = await makeLock(pin);
  const plain = (await records()).filter((row) => row.plain);
  await setMeta("lock", made.lock);
  lockKey = made.privateKey;
  for (const row of plain) await put(await wrap(row, row.plain));
}

export async function unlockWith(pin) {
  const lock = await getMeta("lock");
  if (!lock) return true;
  lockKey = await unlock(lock, pin);
  return lockKey !== null;
}

export async function wipe() {
  if (database) { database.close(); database = null; }
  lockKey = null;
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

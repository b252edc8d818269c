/* Web Crypto for the outbox. Nothing here keeps a key: callers hold them in memory only.

   Guarantees:
   - seal(publicKey, bytes) encrypts to a P-256 public key so that only its private key opens it:
     a fresh ephemeral ECDH key pair per call, HKDF-SHA256 (salt: the ephemeral public key,
     info "observer outbox v1") to an AES-256-GCM key, a random 96-bit IV, the header as
     additional data. Format: "OBSVOUT1" | key id (8) | ephemeral point (65) | IV (12) | ciphertext.
     incidents/report/outbox_file.py opens the same format with `cryptography`.
   - The PIN lock: a P-256 key pair made on the phone; the public half seals every saved report;
     the private half is stored only encrypted with AES-GCM under a key derived from the PIN with
     PBKDF2-SHA256 (310 000 iterations, random 16-byte salt). The PIN and the derived key are
     never stored; a wrong PIN fails the AES-GCM check and opens nothing. */

const MAGIC = new TextEncoder().encode("OBSVOUT1");
const INFO = new TextEncoder().encode("observer outbox v1");
const HEADER = MAGIC.length + 8 + 65 + 12;
const PIN_ITERATIONS = 310000;
const ECDH = { name: "ECDH", namedCurve: "P-256" };
const subtle = crypto.subtle;

export function toBase64(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = "";
  for (let start = 0; start < view.length; start += 0x8000) {
    text += String.fromCharCode.apply(null, view.subarray(start, start + 0x8000));
  }
  return btoa(text);
}

export function fromBase64(text) {
  const normal = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(normal + "===".slice((normal.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

async function aesKeyFrom(secret, salt, usage) {
  const base = await subtle.importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt, info: INFO }, base,
    { name: "AES-GCM", length: 256 }, false, [usage]);
}

export async function importPublic(raw) {
  return subtle.importKey("raw", raw, ECDH, true, []);
}

/* Encrypt `bytes` (Uint8Array) to the public key whose raw point is `pointRaw`. */
export async function seal(pointRaw, bytes) {
  const point = pointRaw instanceof Uint8Array ? pointRaw : new Uint8Array(pointRaw);
  const publicKey = await importPublic(point);
  const keyId = new Uint8Array(await subtle.digest("SHA-256", point)).slice(0, 8);
  const ephemeral = await subtle.generateKey(ECDH, false, ["deriveBits"]);
  const ephemeralRaw = new Uint8Array(await subtle.exportKey("raw", ephemeral.publicKey));
  const secret = await subtle.deriveBits({ name: "ECDH", public: publicKey }, ephemeral.privateKey, 256);
  const key = await aesKeyFrom(secret, ephemeralRaw, "encrypt");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const header = concat(MAGIC, keyId, ephemeralRaw, iv);
  const body = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: header }, key, bytes);
  return concat(header, new Uint8Array(body));
}

/* Decrypt what seal() made, with the matching private key (a CryptoKey). Throws if changed. */
export async function open(privateKey, sealed) {
  const data = sealed instanceof Uint8Array ? sealed : new Uint8Array(sealed);
  const header = data.subarray(0, HEADER);
  const ephemeralRaw = data.slice(MAGIC.length + 8, MAGIC.length + 8 + 65);
  const iv = data.slice(MAGIC.length + 8 + 65, HEADER);
  const ephemeral = await importPublic(ephemeralRaw);
  const secret = await subtle.deriveBits({ name: "ECDH", public: ephemeral }, privateKey, 256);
  const key = await aesKeyFrom(secret, ephemeralRaw, "decrypt");
  return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: header }, key, data.slice(HEADER)));
}

async function pinKey(pin, salt, usage) {
  const base = await subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveKey"]);
  return subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PIN_ITERATIONS }, base,
    { name: "AES-GCM", length: 256 }, false, [usage]);
}

/* A new lock for `pin`: returns {lock (to store), privateKey (to hold in memory)}. */
export async function makeLock(pin) {
  const pair = await subtle.generateKey(ECDH, true, ["deriveBits"]);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const pkcs8 = await subtle.exportKey("pkcs8", pair.privateKey);
  const wrapped = await subtle.encrypt({ name: "AES-GCM", iv }, await pinKey(pin, salt, "encrypt"), pkcs8);
  const publicRaw = new Uint8Array(await subtle.exportKey("raw", pair.publicKey));
  const privateKey = await subtle.importKey("pkcs8", pkcs8, ECDH, false, ["deriveBits"]);
  return { lock: { salt, iv, wrapped: new Uint8Array(wrapped), publicRaw }, privateKey };
}

/* The lock's private key (not extractable) if `pin` is right; null if it is not. */
export async function unlock(lock, pin) {
  try {
    const pkcs8 = await subtle.decrypt({ name: "AES-GCM", iv: lock.iv }, await pinKey(pin, lock.salt, "decrypt"),
      lock.wrapped);
    return await subtle.importKey("pkcs8", pkcs8, ECDH, false, ["deriveBits"]);
  } catch (error) {
    return null;
  }
}

export function randomKey() {
  return crypto.randomUUID ? crypto.randomUUID() : toBase64(crypto.getRandomValues(new Uint8Array(18)));
}

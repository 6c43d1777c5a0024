/**
 * The fixed runtime of a compiled LQL scorer: JavaScript source text that
 * `emit-js.ts` places at the top of every scorer body, before the code made
 * from the ruleset.
 *
 * Input: none (constant text). Output: `JS_RUNTIME`, a list of function and
 * constant declarations whose names all start with `__`.
 * Invariants:
 * - contains no user text, so it can be reviewed once, here;
 * - uses only the ECMAScript standard library (no imports, no Node or DOM);
 * - every native RegExp in it is a fixed, anchored pattern without nested
 *   quantifiers (linear time on any input);
 * - implements "Reading values" of docs/semantics.md: each reader returns
 *   the value in its LQL type (number, string, boolean, epoch ms) or
 *   `undefined` for missing.
 */

export const JS_RUNTIME = String.raw`const __hasOwn = Object.prototype.hasOwnProperty;
const __toStr = Object.prototype.toString;
const __dateGetTime = Date.prototype.getTime;
const __EMPTY = Object.freeze(Object.create(null));
const __DAY = 86400000;
function __own(o, k) { return __hasOwn.call(o, k) ? o[k] : undefined; }
const __NUM_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
function __num(v) {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string") {
    const s = v.trim();
    if (!__NUM_RE.test(s)) return undefined;
    const n = +s;
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
function __text(v) {
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === "boolean") return v ? "true" : "false";
  return undefined;
}
function __bool(v) {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === "string") {
    switch (v.trim().toLowerCase()) {
      case "true": case "yes": case "y": case "1": return true;
      case "false": case "no": case "n": case "0": return false;
    }
  }
  return undefined;
}
const __DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?)?(?:(Z)|([+-])([0-9]{2})(?::?([0-9]{2}))?)?$/;
function __parseDate(s) {
  const m = __DATE_RE.exec(s);
  if (m === null) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3];
  const h = m[4] === undefined ? 0 : +m[4], mi = m[5] === undefined ? 0 : +m[5];
  const sec = m[6] === undefined ? 0 : +m[6];
  const ms = m[7] === undefined ? 0 : +(m[7] + "00").slice(0, 3);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  if (dt.getUTCDate() !== d || dt.getUTCMonth() !== mo - 1) return undefined;
  dt.setUTCHours(h, mi, sec, ms);
  let t = dt.getTime();
  if (m[9] !== undefined) {
    const oh = +m[10], om = m[11] === undefined ? 0 : +m[11];
    if (oh > 23 || om > 59) return undefined;
    const off = (oh * 60 + om) * 60000;
    t = m[9] === "+" ? t - off : t + off;
  }
  return Number.isFinite(t) ? t : undefined;
}
function __date(v) {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string") return __parseDate(v.trim());
  if (v !== null && typeof v === "object" && __toStr.call(v) === "[object Date]") {
    const t = __dateGetTime.call(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}
function __r9(x) { return x >= 9007199254740992 || x <= -9007199254740992 ? x : x <= 0 ? (0 - Math.round(-x * 1e9)) / 1e9 : Math.round(x * 1e9) / 1e9; }
function __lower(v) { return v === undefined ? undefined : v.toLowerCase(); }
function __domain(v) {
  if (v === undefined) return undefined;
  const i = v.lastIndexOf("@");
  if (i < 0 || i === v.length - 1) return undefined;
  return v.slice(i + 1).toLowerCase();
}
function __ub(a, t) {
  let hi = a.length;
  if (hi === 0 || a[hi - 1] <= t) return hi;
  let lo = 0;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m] <= t) lo = m + 1; else hi = m; }
  return lo;
}
function __cnt(a, t, w) { return __ub(a, t) - __ub(a, t - w); }
function __has(a, t) { return a.length > 0 && a[0] <= t; }
function __ds(d, t) { return d === undefined ? undefined : (t - d) / __DAY; }
function __dsl(a, t) { const i = __ub(a, t) - 1; return i < 0 ? undefined : (t - a[i]) / __DAY; }
function __eq(a, b) { return a === b && a !== undefined; }
function __ne(a, b) { return a !== b && a !== undefined && b !== undefined; }
function __btw(v, lo, hi) { return v >= lo && v <= hi; }
function __contains(a, b) { return a !== undefined && b !== undefined && a.includes(b); }
function __starts(a, b) { return a !== undefined && b !== undefined && a.startsWith(b); }
function __ends(a, b) { return a !== undefined && b !== undefined && a.endsWith(b); }
function __set(conv, items) {
  const s = new Set();
  for (let i = 0; i < items.length; i++) { const v = conv(items[i]); if (v !== undefined) s.add(v); }
  return s;
}
function __match(re, cache, s) {
  if (s === undefined) return false;
  let r = cache.get(s);
  if (r === undefined) {
    r = re.test(s);
    if (cache.size >= 65536) cache.clear();
    cache.set(s, r);
  }
  return r;
}
function __numSort(a, b) { return a - b; }
function __sortTimes(a) {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) { a.sort(__numSort); return; }
}
function __points(E, T) {
  let all;
  if (E.length === 1) all = E[0];
  else { all = []; for (let k = 0; k < E.length; k++) { const a = E[k]; for (let i = 0; i < a.length; i++) all.push(a[i]); } all.sort(__numSort); }
  const out = [];
  for (let i = 0; i < all.length; i++) {
    const t = all[i];
    if (t >= T) break;
    if (out.length === 0 || out[out.length - 1] !== t) out.push(t);
  }
  return out;
}
function __map(entries) {
  const o = Object.create(null);
  for (let i = 0; i < entries.length; i++) o[entries[i][0]] = entries[i][1];
  return o;
}
function __xv(id, src, type, v) { return { id: id, src: src, type: type, value: v === undefined ? null : v }; }
function __xl(id, src, line, value, reads) { return { id: id, src: src, line: line, value: value, reads: reads, args: [] }; }
function __xand(id, src, line, args) { let v = true; for (let i = 0; i < args.length; i++) if (!args[i].value) v = false; return { id: id, src: src, line: line, value: v, reads: [], args: args }; }
function __xor(id, src, line, args) { let v = false; for (let i = 0; i < args.length; i++) if (args[i].value) v = true; return { id: id, src: src, line: line, value: v, reads: [], args: args }; }
function __xnot(id, src, line, arg) { return { id: id, src: src, line: line, value: !arg.value, reads: [], args: [arg] }; }
`;

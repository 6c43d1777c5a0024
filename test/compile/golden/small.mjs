// LQL compiled scorer for the ruleset "Golden".
// Compiled by lql "0.0.0-golden"; standalone (no imports).
// score(lead, events?, asOf?) returns { scores, bands, stage, reached, route, reasons };
// without asOf a lead is evaluated at its latest event: pass the time (Date.now(), or a backtest's as-of) to match a run.
// the types are in the .d.ts beside this file, the meaning in LQL's docs/semantics.md.
const __hasOwn = Object.prototype.hasOwnProperty;
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

// --- the ruleset
const __ACT = new Map([["web_visit", 0], ["demo_request", 1]]);
const L0 = __set(__text, ["XX", "YY"]);
const __ruleset = Object.freeze({ name: "Golden", stages: Object.freeze(["MQL", "lead"]), scores: Object.freeze(["fit", "engagement", "total"]), bands: Object.freeze(__map([["grade", Object.freeze(["A", "B"])]])) });
function __score(lead, events, asOf) {
  if (lead === null || typeof lead !== "object") lead = __EMPTY;
  const r0 = __own(lead, "employees");
  const a0 = __num(r0);
  const r1 = __own(lead, "country");
  const a1 = __text(r1);
  let k0_0;
  k0_0 = (a0 >= 1000) ? 30 : 0;
  let k0_1;
  k0_1 = L0.has(a1) ? (-10) : 0;
  const E = [[], []];
  const E0 = E[0];
  const E1 = E[1];
  const hasT = asOf !== undefined && asOf !== null;
  let T = hasT ? __date(asOf) : 0;
  if (T === undefined) throw new RangeError("score: asOf is not a valid date");
  let ne = 0, maxT = -Infinity, minT = Infinity;
  if (events !== undefined && events !== null) {
    for (let j = 0, n = events.length; j < n; j++) {
      const e = events[j];
      if (e === null || typeof e !== "object") continue;
      const k = __ACT.get(e.type);
      if (k === undefined) continue;
      const at = __date(e.at);
      if (at === undefined || (hasT && at > T)) continue;
      E[k].push(at); ne++;
      if (at > maxT) maxT = at;
      if (at < minT) minT = at;
    }
  }
  if (!hasT && ne > 0) T = maxT;
  if (ne > 1) for (let k = 0; k < E.length; k++) __sortTimes(E[k]);
  let q0 = null;
  let q1 = null;
  if (ne > 0) {
    const P = __points(E, T);
    for (let p = 0; p < P.length; p++) {
      const t = P[p];
      {
        let s0 = 0;
        s0 += k0_0;
        s0 += k0_1;
        s0 = __r9(s0);
        let s1 = 0;
        let k1_0;
        k1_0 = 0;
        for (let i = __ub(E0, t - 2592000000), hi = __ub(E0, t); i < hi; i++) k1_0 += 2 * Math.pow(2, -(t - E0[i]) / 2592000000);
        if (k1_0 > 10) k1_0 = 10; else if (k1_0 < -10) k1_0 = -10;
        s1 += k1_0;
        let k1_1;
        { const i = __ub(E1, t) - 1; k1_1 = i >= 0 ? 40 * Math.pow(2, -(t - E1[i]) / 2592000000) : 0; }
        s1 += k1_1;
        s1 = __r9(s1);
        const s2 = __r9((s0 + s1));
        if (q1 === null) { q1 = t; }
        if (q0 === null && (s2 >= 50)) { q0 = t; if (q1 === null) { q1 = t; } }
        if (q0 !== null) break;
      }
    }
  }
  {
    const t = T;
    let s0 = 0;
    s0 += k0_0;
    s0 += k0_1;
    s0 = __r9(s0);
    let s1 = 0;
    let k1_0;
    k1_0 = 0;
    for (let i = __ub(E0, t - 2592000000), hi = __ub(E0, t); i < hi; i++) k1_0 += 2 * Math.pow(2, -(t - E0[i]) / 2592000000);
    if (k1_0 > 10) k1_0 = 10; else if (k1_0 < -10) k1_0 = -10;
    s1 += k1_0;
    let k1_1;
    { const i = __ub(E1, t) - 1; k1_1 = i >= 0 ? 40 * Math.pow(2, -(t - E1[i]) / 2592000000) : 0; }
    s1 += k1_1;
    s1 = __r9(s1);
    const s2 = __r9((s0 + s1));
    const b0 = s0 >= 30 ? "A" : "B";
    if (q1 === null) { q1 = t; }
    if (q0 === null && (s2 >= 50)) { q0 = t; if (q1 === null) { q1 = t; } }
    let __route = null;
    if (((b0 === "A") && (q0 !== null))) __route = "call"; else __route = "nurture";
    const __reasons = [];
    if (__r9(k0_0) !== 0) __reasons.push({ score: "fit", points: __r9(k0_0), line: 5, rule: "+30 when big" });
    if (__r9(k0_1) !== 0) __reasons.push({ score: "fit", points: __r9(k0_1), line: 5, rule: "-10 when country in [\"XX\", \"YY\"]" });
    if (__r9(k1_0) !== 0) __reasons.push({ score: "engagement", points: __r9(k1_0), line: 7, rule: "+2 per web_visit in last 30 days, max 10" });
    if (__r9(k1_1) !== 0) __reasons.push({ score: "engagement", points: __r9(k1_1), line: 8, rule: "+40 once demo_request" });
    return { scores: __map([["fit", s0], ["engagement", s1], ["total", s2]]), bands: __map([["grade", b0]]), stage: (q0 !== null ? "MQL" : "lead"), reached: __map([["MQL", q0], ["lead", q1]]), route: __route, reasons: __reasons };
  }
}

export const ruleset = __ruleset;
export function score(lead, events, asOf) { return __score(lead, events, asOf); }

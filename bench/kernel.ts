/**
 * Benchmark of the simulator's columnar kernel on the ACME rules
 * (spec/examples/acme.lql) over generated leads (simulator/generate.ts).
 *
 * Input: none (sizes from LQL_BENCH_LEADS, default 1,000,000 leads with
 * about 20 events each).
 * Output: `run()` resolves to report lines:
 * - snapshot mode: ns/lead of the compiled kernel, of a hand-written loop
 *   over the same typed arrays for the same rules, and of json-rules-engine
 *   on a sample, with the ratios (target: kernel within 2x of the hand loop);
 * - event mode: replay time of all leads and events, bytes per event held in
 *   memory, and a hand-written CSR replay loop for the same rules (running
 *   decay factors, a trailing-pointer window, early exit once the furthest
 *   stage is reached) with the ratio (targets: < 5 s, <= 24 bytes/event,
 *   aim <= 3x the hand loop).
 * Invariants: the hand loops are checked to agree with the kernel on every
 * lead before timing is reported; each timing is the best of a few runs.
 */
import { readFileSync } from 'node:fs';
import { compileSource } from '../language/index.js';
import { compileKernel } from '../simulator/kernel/emit-kernel.js';
import type { IR } from '../language/compile/ir.js';
import { generate } from '../simulator/generate.js';
import type { LeadTable, EventTable } from '../simulator/data/table.js';
import { defaultAsOf } from '../simulator/replay.js';

const ACME_PATH = new URL('../../shared/spec/examples/acme.lql', import.meta.url);

function acmeSource(): string {
  for (const p of [ACME_PATH, new URL('../../../shared/spec/examples/acme.lql', import.meta.url)]) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* try the next place (source tree or dist/) */
    }
  }
  throw new Error('cannot find spec/examples/acme.lql');
}

function best(reps: number, f: () => void): number {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    f();
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (dt < b) b = dt;
  }
  return b;
}

interface HandOut {
  fit: Float64Array;
  engagement: Float64Array;
  bant: Float64Array;
  total: Float64Array;
  grade: Int32Array;
  temperature: Int32Array;
  stage: Int32Array;
  route: Int32Array;
}

function handOut(n: number): HandOut {
  return {
    fit: new Float64Array(n),
    engagement: new Float64Array(n),
    bant: new Float64Array(n),
    total: new Float64Array(n),
    grade: new Int32Array(n),
    temperature: new Int32Array(n),
    stage: new Int32Array(n),
    route: new Int32Array(n),
  };
}

/** Bands and route of the ACME rules, written out by hand. */
function finishLead(out: HandOut, i: number, fit: number, eng: number, bant: number, stage: number): void {
  const grade = fit >= 50 ? 0 : fit >= 30 ? 1 : fit >= 10 ? 2 : 3;
  const temp = eng >= 60 ? 0 : eng >= 25 ? 1 : 2;
  out.fit[i] = fit;
  out.engagement[i] = eng;
  out.bant[i] = bant;
  out.total[i] = fit + eng;
  out.grade[i] = grade;
  out.temperature[i] = temp;
  out.stage[i] = stage;
  out.route[i] = grade <= 1 && temp === 0 ? 0 : grade <= 1 ? 1 : temp === 0 ? 2 : 3;
}

/** Codes and per-dictionary tables a hand-writer would precompute. */
function handPrep(leads: LeadTable) {
  const col = (name: string) => leads.columns.get(name)!;
  const ind = col('industry') as { codes: Int32Array; dict: string[] };
  const title = col('title') as { codes: Int32Array; dict: string[] };
  const email = col('email') as { codes: Int32Array; dict: string[] };
  const re = /director|vp|head|chief/i;
  const free = new Set(['gmail.com', 'hotmail.com', 'yahoo.com', 'outlook.com']);
  return {
    ind: ind.codes,
    fin: ind.dict.indexOf('financial_services'),
    svc: ind.dict.indexOf('services'),
    man: ind.dict.indexOf('manufacturing'),
    emp: (col('employees') as { values: Float64Array }).values,
    title: title.codes,
    dm: Uint8Array.from(title.dict, (s) => (re.test(s) ? 1 : 0)),
    email: email.codes,
    freeT: Uint8Array.from(email.dict, (s) => {
      const at = s.lastIndexOf('@');
      return at >= 0 && free.has(s.slice(at + 1).toLowerCase()) ? 1 : 0;
    }),
    budget: (col('budget') as { values: Float64Array }).values,
    tf: (col('timeframe_days') as { values: Float64Array }).values,
  };
}

/** Hand-written snapshot loop for the ACME rules (no events: engagement 0). */
function handSnapshot(leads: LeadTable, P: ReturnType<typeof handPrep>, out: HandOut): void {
  const { ind, fin, svc, man, emp, title, dm, email, freeT, budget, tf } = P;
  const n = leads.n;
  for (let i = 0; i < n; i++) {
    const c = ind[i]!;
    const e = emp[i]!;
    const d = dm[title[i]!] === 1;
    let fit = 0;
    if (c === fin && e >= 5000) fit += 30;
    if (c === svc && e < 100) fit += 20;
    if (c === man) fit += 15;
    if (d) fit += 10;
    if (freeT[email[i]!] === 1) fit -= 50;
    let bant = 0;
    if (budget[i]! >= 10000) bant++;
    if (d) bant++;
    if (tf[i]! <= 90) bant++;
    finishLead(out, i, fit, 0, bant, fit >= 30 && bant >= 3 ? 0 : 2);
  }
}

const H = 30 * 86_400_000;
const K = -Math.LN2 / H;
const W = 30 * 86_400_000;

function acmeEngagement(dv: number, dd: number, dw: number, de: number, lp: number, ldm: number, lu: number, wv: number, tt: number): number {
  return (
    Math.min(20, 2 * dv) + 8 * dd + 12 * dw + (lp === lp ? 15 * Math.pow(0.5, (tt - lp) / H) : 0) + (ldm === ldm ? 40 * Math.pow(0.5, (tt - ldm) / H) : 0) +
    Math.min(15, 5 * de) + (lu === lu ? -30 * Math.pow(0.5, (tt - lu) / H) : 0) + (wv > 15 ? 10 : 0)
  );
}

/** Hand-written CSR replay for the ACME rules (closed_at rules included). */
function handReplay(leads: LeadTable, ev: EventTable, asOf: number, P: ReturnType<typeof handPrep>, out: HandOut): void {
  const { ind, fin, svc, man, emp, title, dm, email, freeT, budget, tf } = P;
  const { offsets, types, times } = ev;
  const closedAt = leads.closedAt;
  const n = leads.n;
  for (let i = 0; i < n; i++) {
    const ca = closedAt[i]!;
    const closed = ca === ca;
    const T = closed ? ca : asOf;
    const s = offsets[i]!;
    let e = offsets[i + 1]!;
    if (closed) while (e > s && times[e - 1]! >= T) e--;
    else while (e > s && times[e - 1]! > T) e--;
    const c = ind[i]!;
    const em = emp[i]!;
    const d = dm[title[i]!] === 1;
    let fit = 0;
    if (c === fin && em >= 5000) fit += 30;
    if (c === svc && em < 100) fit += 20;
    if (c === man) fit += 15;
    if (d) fit += 10;
    if (freeT[email[i]!] === 1) fit -= 50;
    let bant0 = 0;
    if (budget[i]! >= 10000) bant0++;
    if (d) bant0++;
    if (tf[i]! <= 90) bant0++;
    // decayed sums, counts, latest times
    let dv = 0, dd = 0, dw = 0, de = 0; // visits, downloads, webinars, email clicks (30-day window)
    let wv = 0, we = 0; // window counts: visits, email clicks
    let lp = NaN, ldm = NaN, lu = NaN, hasQ = false;
    let rSQL = NaN, rMQL = NaN;
    let done = fit < 30; // both stages need fit >= 30
    let prev = NaN;
    let p = s;
    let j = s;
    let t = T;
    while (j < e) {
      t = times[j]!;
      if (prev === prev && t !== prev) {
        const f = Math.exp((t - prev) * K);
        dv *= f; dd *= f; dw *= f; de *= f;
      }
      do {
        switch (types[j]!) {
          case 0: dv += 1; wv++; break;
          case 1: dd += 1; break;
          case 2: dw += 1; break;
          case 3: lp = t; break;
          case 4: ldm = t; break;
          case 5: hasQ = true; break;
          case 6: de += 1; we++; break;
          case 7: lu = t; break;
        }
        j++;
      } while (j < e && times[j] === t);
      while (p < j && times[p]! <= t - W) {
        const y = types[p]!;
        if (y === 0) wv--;
        else if (y === 6) {
          we--;
          de = we === 0 ? 0 : de - Math.exp((t - times[p]!) * K);
        }
        p++;
      }
      prev = t;
      if (!done) {
        const bant = bant0 + (ldm === ldm || hasQ ? 1 : 0);
        if (rMQL !== rMQL && acmeEngagement(dv, dd, dw, de, lp, ldm, lu, wv, t) >= 40) rMQL = t;
        if (hasQ || bant >= 3) { rSQL = t; if (rMQL !== rMQL) rMQL = t; done = true; }
      }
    }
    t = T;
    if (prev !== prev || prev < T) {
      if (prev === prev) {
        const f = Math.exp((t - prev) * K);
        dv *= f; dd *= f; dw *= f; de *= f;
      }
      while (p < j && times[p]! <= t - W) {
        const y = types[p]!;
        if (y === 0) wv--;
        else if (y === 6) {
          we--;
          de = we === 0 ? 0 : de - Math.exp((t - times[p]!) * K);
        }
        p++;
      }
      if (!done) {
        const bant = bant0 + (ldm === ldm || hasQ ? 1 : 0);
        if (rMQL !== rMQL && acmeEngagement(dv, dd, dw, de, lp, ldm, lu, wv, t) >= 40) rMQL = t;
        if (hasQ || bant >= 3) { rSQL = t; if (rMQL !== rMQL) rMQL = t; }
      }
    }
    if (closed) {
      if (rSQL >= T) rSQL = NaN;
      if (rMQL >= T) rMQL = NaN;
    }
    finishLead(out, i, fit, acmeEngagement(dv, dd, dw, de, lp, ldm, lu, wv, T), bant0 + (ldm === ldm || hasQ ? 1 : 0), rSQL === rSQL ? 0 : rMQL === rMQL ? 1 : 2);
  }
}

async function jsonRulesEngineNsPerLead(leads: LeadTable, sample: number): Promise<number> {
  const { Engine } = await import('json-rules-engine');
  const engine = new Engine([], { allowUndefinedFacts: true });
  const rule = (conditions: object, points: number, name: string) =>
    engine.addRule({ conditions: conditions as never, event: { type: name, params: { points } } });
  rule({ all: [{ fact: 'industry', operator: 'equal', value: 'financial_services' }, { fact: 'employees', operator: 'greaterThanInclusive', value: 5000 }] }, 30, 'enterprise_finance');
  rule({ all: [{ fact: 'industry', operator: 'equal', value: 'services' }, { fact: 'employees', operator: 'lessThan', value: 100 }] }, 20, 'small_services');
  rule({ all: [{ fact: 'industry', operator: 'equal', value: 'manufacturing' }] }, 15, 'manufacturing');
  rule({ all: [{ fact: 'decision_maker', operator: 'equal', value: true }] }, 10, 'decision_maker');
  rule({ all: [{ fact: 'domain', operator: 'in', value: ['gmail.com', 'hotmail.com', 'yahoo.com', 'outlook.com'] }] }, -50, 'freemail');
  rule({ all: [{ fact: 'budget', operator: 'greaterThanInclusive', value: 10000 }] }, 1, 'bant_budget');
  rule({ all: [{ fact: 'decision_maker', operator: 'equal', value: true }] }, 1, 'bant_dm');
  rule({ all: [{ fact: 'timeframe_days', operator: 'lessThanInclusive', value: 90 }] }, 1, 'bant_tf');
  const cols = leads.columns;
  const text = (name: string, i: number) => {
    const c = cols.get(name) as { codes: Int32Array; dict: string[] };
    return c.codes[i]! >= 0 ? c.dict[c.codes[i]!] : undefined;
  };
  const num = (name: string, i: number) => {
    const v = (cols.get(name) as { values: Float64Array }).values[i]!;
    return v === v ? v : undefined;
  };
  const re = /director|vp|head|chief/i;
  const facts = Array.from({ length: sample }, (_, i) => {
    const email = text('email', i);
    return {
      industry: text('industry', i),
      employees: num('employees', i),
      decision_maker: re.test(text('title', i) ?? ''),
      domain: email && email.includes('@') ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : undefined,
      budget: num('budget', i),
      timeframe_days: num('timeframe_days', i),
    };
  });
  const t0 = process.hrtime.bigint();
  for (const f of facts) {
    const r = await engine.run(f);
    let fit = 0;
    for (const e of r.events) fit += (e.params as { points: number }).points;
    void fit;
  }
  return Number(process.hrtime.bigint() - t0) / sample;
}

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  const N = Number(process.env.LQL_BENCH_LEADS ?? 1_000_000);
  const t0 = Date.now();
  const { leads, events } = generate({ leads: N, seed: 42, eventsPerLead: 20 });
  const nev = events.times.length;
  lines.push(`kernel bench: ${N.toLocaleString('en')} leads, ${nev.toLocaleString('en')} events (generated in ${Date.now() - t0} ms)`);
  const c = compileSource(acmeSource());
  if (!c.ir) throw new Error('acme.lql does not compile');
  const ir: IR = c.ir;
  const t1 = process.hrtime.bigint();
  const kernel = compileKernel(ir);
  const compileMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const asOf = defaultAsOf(leads, events, ir.activities);
  const P = handPrep(leads);
  const hand = handOut(N);

  // --- snapshot --------------------------------------------------------------
  const tb = process.hrtime.bigint();
  const snap = kernel.bind({ leads, mode: 'snapshot', asOf });
  const bindMs = Number(process.hrtime.bigint() - tb) / 1e6;
  const kSnap = best(5, () => snap.run(0, N));
  const hSnap = best(5, () => handSnapshot(leads, P, hand));
  const fitIdx = ir.scores.findIndex((s) => s.name === 'fit');
  for (let i = 0; i < N; i++) {
    if (snap.out.scores[fitIdx]![i] !== hand.fit[i] || snap.out.stage[i] !== hand.stage[i] || snap.out.route[i] !== hand.route[i]) {
      throw new Error(`snapshot hand loop disagrees at lead ${i}`);
    }
  }
  const jre = await jsonRulesEngineNsPerLead(leads, Math.min(N, 3000));
  const kns = (kSnap * 1e6) / N;
  const hns = (hSnap * 1e6) / N;
  lines.push(`compile ACME -> kernel: ${compileMs.toFixed(1)} ms; bind to 1M-lead table: ${bindMs.toFixed(1)} ms`);
  lines.push(`snapshot, compiled kernel:      ${kns.toFixed(1)} ns/lead (${kSnap.toFixed(0)} ms)`);
  lines.push(`snapshot, hand-written loop:    ${hns.toFixed(1)} ns/lead (${hSnap.toFixed(0)} ms)`);
  lines.push(`snapshot, json-rules-engine:    ${jre.toFixed(0)} ns/lead (sample of ${Math.min(N, 3000)}; fit and bant rules only)`);
  lines.push(`  kernel / hand loop = ${(kns / hns).toFixed(2)}x (target <= 2x); json-rules-engine / kernel = ${(jre / kns).toFixed(0)}x`);

  // --- events ----------------------------------------------------------------
  const evk = kernel.bind({ leads, events, mode: 'events', asOf });
  const kEv = best(3, () => evk.run(0, N));
  const hEv = best(3, () => handReplay(leads, events, asOf, P, hand));
  const engIdx = ir.scores.findIndex((s) => s.name === 'engagement');
  let mism = 0;
  for (let i = 0; i < N; i++) {
    const a = evk.out.scores[engIdx]![i]!;
    const b = hand.engagement[i]!;
    if (evk.out.stage[i] !== hand.stage[i] || evk.out.route[i] !== hand.route[i] || Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(b))) mism++;
  }
  if (mism) throw new Error(`event hand loop disagrees with the kernel on ${mism} leads`);
  const bytes = events.types.byteLength + events.times.byteLength + events.offsets.byteLength;
  lines.push(`events, compiled kernel replay: ${(kEv / 1000).toFixed(2)} s (${((kEv * 1e6) / nev).toFixed(1)} ns/event, target < 5 s)`);
  lines.push(`events, hand-written CSR loop:  ${(hEv / 1000).toFixed(2)} s (${((hEv * 1e6) / nev).toFixed(1)} ns/event)`);
  lines.push(`  kernel / hand loop = ${(kEv / hEv).toFixed(2)}x (aim <= 3x); memory ${(bytes / nev).toFixed(1)} bytes/event (target <= 24)`);
  return lines;
}

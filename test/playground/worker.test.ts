/**
 * The playground's engine (run in-process, without a Worker) over the real
 * checker and simulator, and the client's "latest run wins" rule.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createEngine } from '../../playground/worker/engine.js';
import { bandMatrix, toPlaygroundReport } from '../../playground/worker/report.js';
import { joinOlist } from '../../simulator/data/olist.js';
import { wrapWorker, type Remote } from '../../playground/worker/client.js';
import { createReplayHelper, type ReplayHelperApi } from '../../playground/worker/replay-helper.js';
import { splitLeads } from '../../playground/worker/parallel.js';
import { computeReport } from '../../simulator/metrics.js';
import { replay } from '../../simulator/replay.js';
import type { RunResult } from '../../playground/worker/api.js';
import { EXAMPLES, RULESET_PATHS } from '../../playground/data/examples.js';
import { compileSource } from '../../language/index.js';
import { generate } from '../../simulator/generate.js';
import { simulateFull } from '../../simulator/simulate.js';

const acme = readFileSync(new URL('../../examples/acme.lql', import.meta.url), 'utf8');
const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const ACME = { leads: 3000, seed: 42, name: 'ACME' };

describe('playground engine', () => {
  it('is the simulator, and checks rules against the loaded columns', async () => {
    const w = createEngine();
    expect((await w.info()).engine).toBe('simulator');
    expect((await w.check(acme)).filter((d) => d.severity === 'error')).toEqual([]);
    const broken = await w.check('fit { +10 when ');
    expect(broken[0]!.code).toMatch(/^LQL1\d\d$/);
    await w.loadData({ leads: { name: 'l.csv', bytes: bytes('id,outcome,industry\na,won,x\n') } });
    const ds = await w.check(acme);
    const w521 = ds.find((d) => d.code === 'LQL521' && /employees/.test(d.message))!;
    expect(w521.severity).toBe('warning');
    expect(w521.range.start).toMatchObject({ line: acme.split('\n').findIndex((l) => l.startsWith('attribute employees')) + 1, column: 11 });
    const typo = await w.check('segment s = industri == "x"\n');
    expect(typo.find((d) => d.code === 'LQL210')?.fix?.[0]?.text).toBe('industry');
  });

  it('generates the ACME history and gives the same report as the simulator', async () => {
    const w = createEngine();
    const progress: number[] = [];
    const s = await w.generateData(ACME, (p) => progress.push(p.done));
    expect(s).toMatchObject({ ok: true, leads: 3000 });
    expect(s.events).toBeGreaterThan(50_000);
    expect(s.columns?.find((c) => c.name === 'industry')).toMatchObject({ type: 'text', distinct: 7 });
    const r = await w.run(1, { text: acme });
    expect(r.status).toBe('ok');
    const g = generate({ leads: 3000, seed: 42 });
    const ref = toPlaygroundReport(simulateFull(compileSource(acme).ir!, g.leads, g.events).report);
    expect(r.report!.stages).toEqual(ref.stages);
    expect(r.report!.activities).toEqual(ref.activities);
    expect(r.report!.matrix).toMatchObject({ rowBand: 'grade', colBand: 'temperature', rows: ['A', 'B', 'C', 'D'], cols: ['hot', 'warm', 'cold'] });
    expect(r.report!.matrix!.cells.reduce((a, c) => a + c.leads, 0)).toBe(3000);
    expect(r.report!.weekly?.length).toBe(2);
    expect(r.report!.distributions?.map((d) => d.score)).toEqual(['fit', 'engagement', 'bant', 'total']);
    expect(r.report!.activities.every((a) => Number.isInteger(a.suggestedPoints))).toBe(true);
  });

  it('pins a baseline: deltas and changed leads', async () => {
    const w = createEngine();
    await w.generateData(ACME);
    const looser = acme.replace('engagement >= 40', 'engagement >= 20');
    const r = await w.run(1, { text: looser, baselineText: acme });
    expect(r.report?.baseline?.stages[1]?.name).toBe('MQL');
    const mql = r.report!.delta!.stages.find((s) => s.name === 'MQL')!;
    expect(mql.reached).toBeGreaterThan(0);
    const changed = await w.changedLeads(looser, acme, 50);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(50);
    expect(changed[0]).toMatchObject({ before: 'lead', after: 'MQL' });
    // the run lists them itself when asked: only leads newly reaching MQL change stage (SQL does not read MQL)
    const withList = await w.run(2, { text: looser, baselineText: acme, changedLimit: 10_000 });
    expect(withList.changed?.slice(0, 50)).toEqual(changed);
    expect(withList.changed?.length).toBe(mql.reached);
    expect(withList.changed?.every((c) => c.before === 'lead' && c.after === 'MQL')).toBe(true);
    expect((await w.run(3, { text: looser, baselineText: acme })).changed).toBeUndefined();
  });

  it('cancels a stale run at a chunk boundary, and a newer run wins', async () => {
    const w = createEngine();
    await w.generateData({ leads: 40_000, seed: 3, name: 'big' });
    const first = w.run(1, { text: acme });
    const second = w.run(2, { text: acme.replace('>= 40', '>= 45') });
    expect((await first).status).toBe('cancelled');
    expect((await second).status).toBe('ok');
    const third = w.run(3, { text: acme });
    await w.cancel(3);
    expect((await third).status).toBe('cancelled');
  });

  it('a long edit session (threshold and points edits, a baseline, cancelled runs, background work) reports as a fresh engine does', async () => {
    const texts = [
      acme,
      acme.replace('engagement >= 40', 'engagement >= 30'),
      acme.replace('engagement >= 40', 'engagement >= 55'),
      acme.replace('+40 once demo_request', '+25 once demo_request'),
      acme.replace('hot >= 60', 'hot >= 35'),
      acme.replace('bant >= 3', 'bant >= 2').replace('+12 per webinar_attended', '+20 per webinar_attended').replace('employees >= 5000', 'employees >= 1000'),
      acme,
    ];
    const w = createEngine();
    await w.generateData(ACME);
    let id = 0;
    const got: RunResult[] = [];
    for (const [k, text] of texts.entries()) {
      const baselineText = k >= 3 ? texts[1] : undefined;
      // a superseded run first, and background work between runs
      const stale = w.run(++id, { text: texts[(k + 3) % texts.length]!, baselineText });
      const r = await w.run(++id, { text, baselineText, changedLimit: 50 });
      expect((await stale).status).toBe('cancelled');
      await w.runStats(text);
      await w.sweep(text);
      got.push(r);
    }
    for (const [k, text] of texts.entries()) {
      const fresh = createEngine();
      await fresh.generateData(ACME);
      const baselineText = k >= 3 ? texts[1] : undefined;
      const want = await fresh.run(1, { text, baselineText, changedLimit: 50 });
      expect(got[k]!.report, `edit ${k}`).toEqual(want.report);
      expect(got[k]!.changed, `edit ${k}`).toEqual(want.changed);
    }
    // a threshold edit reuses every score of the run before it; a points edit of an activity rule the
    // scores of the leads that never did the activity; an edit of a profile rule none
    expect(got[1]!.phases).toMatchObject({ reused: true, fullLeads: 0 });
    expect(got[3]!.phases?.reused).toBe(true);
    expect(got[3]!.phases!.fullLeads).toBeGreaterThan(0);
    expect(got[3]!.phases!.fullLeads).toBeLessThan(ACME.leads);
    expect(got[5]!.phases).toMatchObject({ reused: false, fullLeads: ACME.leads });
  });

  it('runs tests, with failures at their expect line', async () => {
    const w = createEngine();
    const ok = await w.runTests(acme);
    expect(ok).toMatchObject({ available: true, passed: 4, failed: 0 });
    const bad = await w.runTests(acme.replace('expect fit == 40', 'expect fit == 41'));
    expect(bad.failed).toBe(1);
    const f = bad.tests.find((x) => !x.passed)!.failures[0]!;
    expect(f.line).toBe(acme.split('\n').findIndex((l) => l.includes('expect fit == 40')) + 1);
    expect(f.details.join()).toMatch(/41.*40|40.*41/);
    expect((await w.runTests('fit {')).invalid).toBe(true);
  });

  it('explains a lead with the full trace, and says when a lead is unknown', async () => {
    const w = createEngine();
    await w.generateData(ACME);
    await w.run(1, { text: acme });
    const e = await w.explain(acme, 'L0000001');
    expect(e).toMatchObject({ available: true, found: true, id: 'L0000001' });
    expect(e.trace?.rules.length).toBeGreaterThan(10);
    expect(e.trace?.rules.some((r) => r.cond?.reads.length)).toBe(true);
    expect(e.trace?.stages.map((s) => s.name)).toEqual(['SQL', 'MQL', 'lead']);
    expect((await w.explain(acme, 'nope')).found).toBe(false);
  });

  it('computes rule statistics and a threshold sweep in the background', async () => {
    const w = createEngine();
    await w.generateData(ACME);
    await w.run(1, { text: acme });
    const st = await w.runStats(acme);
    const demo = acme.split('\n').findIndex((l) => l.includes('+40 once demo_request')) + 1;
    const rule = st.ruleStats.find((r) => r.line === demo)!;
    expect(rule.fired).toBeGreaterThan(0);
    expect(rule.closeRate).toBeGreaterThan(0);
    expect(st.scoreStats.map((s) => s.name)).toContain('engagement');
    const sw = await w.sweep(acme);
    expect(sw.status).toBe('ok');
    expect(sw.sweeps.map((s) => s.comparison)).toEqual(['fit >= 30', 'engagement >= 40']);
    const cur = sw.sweeps[1]!.candidates.find((p) => p.threshold === 40)!;
    const r = await w.run(2, { text: acme });
    expect(cur.reached).toBe(r.report!.stages.find((s) => s.name === 'MQL')!.reached);
  });

  it('exports standalone scorers (with re2js embedded for `matches`), SQL, scored CSV and the report', async () => {
    const w = createEngine();
    await w.generateData(ACME);
    await w.run(1, { text: acme });
    const esm = await w.exportScorer(acme, 'esm');
    expect(esm.ok).toBe(true);
    expect(esm.fileName).toBe('acme-b2b-qualification.mjs');
    expect(esm.content).not.toMatch(/^\s*import\s/m);
    expect(esm.content).toContain('const RE2JS = (() => {');
    const cjs = await w.exportScorer(acme, 'cjs');
    expect(cjs.content).toContain('exports.score');
    expect((await w.exportScorer(acme, 'sql', 'postgres')).content).toMatch(/select/i);
    expect(JSON.parse((await w.exportScorer(acme, 'json')).content).name).toBe('ACME B2B qualification');
    const csv = await w.exportScoredCsv(acme);
    const lines = csv.content.trim().split('\n');
    expect(lines[0]).toBe('id,outcome,fit,engagement,bant,total,grade,temperature,stage,route,reached_SQL,reached_MQL,reached_lead');
    expect(lines.length).toBe(3001);
    const rep = JSON.parse((await w.exportReport(acme, acme)).content);
    expect(rep).toMatchObject({ ruleset: 'ACME B2B qualification', leads: 3000 });
    expect(rep.baseline.leads).toBe(3000);
  });

  it('reports data problems by file, line and column, without crashing', async () => {
    const w = createEngine();
    const bad = await w.loadData({ leads: { name: 'bad.csv', bytes: bytes('id,outcome\nL1,won\nL1,lost\nL3,maybe\n') } });
    expect(bad.ok).toBe(false);
    // every bad row is listed, not only the first: L1 again (line 3), `maybe` (line 4, column 4)
    expect(bad.diagnostics.map((d) => [d.code, d.file, d.range.start.line, d.range.start.column])).toEqual([
      ['LQL509', 'bad.csv', 3, 1],
      ['LQL511', 'bad.csv', 4, 4],
    ]);
    expect((await w.run(1, { text: acme })).status).toBe('no-data');
    const lenient = await w.loadData({ leads: { name: 'bad.csv', bytes: bytes('id,outcome\nL1,won\nL1,lost\nL3,maybe\n') }, lenient: true });
    expect(lenient).toMatchObject({ ok: true, leads: 1 });
    expect(lenient.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column])).toEqual([['LQL509', 3, 1], ['LQL511', 4, 4]]);
    const ragged = await w.loadData({ leads: { name: 'r.csv', bytes: bytes('id,outcome,x\nL1,won,1\nL2,"lost\n') } });
    expect(ragged.ok).toBe(false);
    expect(ragged.diagnostics[0]).toMatchObject({ file: 'r.csv' });
    expect(ragged.diagnostics[0]!.range.start.line).toBeGreaterThanOrEqual(3);
  });

  it('reads a column as the ruleset declares it (yes/no as text), like lql simulate', async () => {
    const w = createEngine();
    await w.loadData({ leads: { name: 'l.csv', bytes: bytes('id,outcome,optout\na,won,Yes\nb,lost,No\nc,lost,No\n') } });
    const text = 'attribute optout: text\nscore s { +1 when optout == "Yes" }\nstages {\n  hot when s >= 1\n  cold otherwise\n}\n';
    const r = await w.run(1, { text });
    expect(r.report?.stages[0]).toMatchObject({ name: 'hot', reached: 1, won: 1 });
  });

  it('joins the Olist files into leads with outcomes and contact events', () => {
    const mql = 'mql_id,first_contact_date,landing_page_id,origin\na,2018-02-01,p1,social\nb,2018-03-01,p2,\n';
    const deals = 'mql_id,seller_id,won_date\na,s,2018-02-26 19:58:54\n';
    const j = joinOlist(mql, deals);
    expect(j.leads).toBe('id,outcome,created_at,closed_at,origin,landing_page_id\na,won,2018-02-01,2018-02-26T19:58:54Z,social,p1\nb,lost,2018-03-01,,,p2\n');
    expect(j.events).toBe('lead_id,type,at\na,contact_social,2018-02-01\nb,contact_unknown,2018-03-01\n');
  });

  it('the gallery covers every example ruleset, each with its dataset', () => {
    expect(EXAMPLES.map((e) => e.rulesetPath).sort()).toEqual(RULESET_PATHS);
    for (const e of EXAMPLES) expect(compileSource(e.rulesetText).ir, e.id).not.toBeNull();
  });

  it('the fit x interest matrix falls back to the first two bands', () => {
    const text = 'attribute a: number\nscore s { +1 when a > 1 }\nband x from s { hi >= 1, lo otherwise }\nband y from a { big >= 10, small otherwise }\n';
    const ir = compileSource(text).ir!;
    const st = { n: 2, bands: [Int32Array.from([0, 1]), Int32Array.from([1, 1])], bandLabels: [['hi', 'lo'], ['big', 'small']], bandNames: ['x', 'y'], outcome: Int8Array.from([1, 0]) };
    const m = bandMatrix(ir, st as never)!;
    expect(m.rowBand).toBe('x');
    expect(m.cells.find((c) => c.row === 'hi' && c.col === 'small')).toMatchObject({ leads: 1, won: 1, closeRate: 1 });
  });
});

describe('parallel replay', () => {
  /** in-process helpers that record their jobs and cancellations */
  function helpers(k: number, log: { replays: number; cancels: number[] }): () => ReplayHelperApi[] {
    return () => Array.from({ length: k }, () => {
      const h = createReplayHelper();
      return {
        load: h.load,
        replay: (job, req) => { log.replays++; return h.replay(job, req); },
        cancel: (job) => { log.cancels.push(job); return h.cancel(job); },
      };
    });
  }

  it('cuts the leads into contiguous ranges of about equal events', () => {
    const offsets = Int32Array.from([0, 10, 10, 30, 31, 40, 80]);
    const r = splitLeads(6, offsets, 2);
    expect(r[0]!.lo).toBe(0);
    expect(r[r.length - 1]!.hi).toBe(6);
    for (let k = 1; k < r.length; k++) expect(r[k]!.lo).toBe(r[k - 1]!.hi);
    expect(splitLeads(0, null, 3)).toEqual([{ lo: 0, hi: 0 }]);
    expect(splitLeads(5, null, 8).length).toBe(5);
    expect(splitLeads(100, null, 4).map((x) => x.hi - x.lo)).toEqual([25, 25, 25, 25]);
  });

  it('gives exactly the single-worker report, scored leads and sweep', async () => {
    const log = { replays: 0, cancels: [] as number[] };
    const one = createEngine();
    const par = createEngine({ helpers: helpers(2, log), minParallelLeads: 0 });
    await one.generateData(ACME);
    await par.generateData(ACME);
    const looser = acme.replace('engagement >= 40', 'engagement >= 20');
    for (const [id, text] of [[1, acme], [2, looser], [3, acme.replace('fit >= 30', 'fit >= 35')]] as const) {
      const a = await one.run(id, { text, baselineText: acme });
      const b = await par.run(id, { text, baselineText: acme });
      expect(b.status).toBe('ok');
      expect(b.report).toEqual(a.report);
      expect((await par.exportScoredCsv(text)).content).toBe((await one.exportScoredCsv(text)).content);
    }
    expect(log.replays).toBeGreaterThanOrEqual(6);
    expect(await par.changedLeads(looser, acme, 20)).toEqual(await one.changedLeads(looser, acme, 20));
    expect(await par.sweep(acme)).toEqual(await one.sweep(acme));
    // and the simulator's own report, computed afresh
    const g = generate({ leads: 3000, seed: 42 });
    const ref = toPlaygroundReport(simulateFull(compileSource(looser).ir!, g.leads, g.events).report);
    const r = await par.run(9, { text: looser });
    expect(r.report!.stages).toEqual(ref.stages);
    expect(r.report!.activities).toEqual(ref.activities);
    expect(r.report!.distributions).toEqual(ref.distributions);
  });

  it('cancels a stale run in every worker', async () => {
    const log = { replays: 0, cancels: [] as number[] };
    const w = createEngine({ helpers: helpers(1, log), minParallelLeads: 0 });
    await w.generateData({ leads: 40_000, seed: 3, name: 'big' });
    const first = w.run(1, { text: acme });
    const second = w.run(2, { text: acme.replace('>= 40', '>= 45') });
    expect((await first).status).toBe('cancelled');
    expect((await second).status).toBe('ok');
    expect(log.cancels.length).toBeGreaterThan(0);
    const third = w.run(3, { text: acme });
    await w.cancel(3);
    expect((await third).status).toBe('cancelled');
  });

  it('replays a range in the engine when a helper cannot', async () => {
    const broken: ReplayHelperApi = {
      load: async () => undefined,
      replay: async () => ({ status: 'missing' }),
      cancel: async () => undefined,
    };
    const one = createEngine();
    const par = createEngine({ helpers: () => [broken], minParallelLeads: 0 });
    await one.generateData(ACME);
    await par.generateData(ACME);
    expect((await par.run(1, { text: acme })).report).toEqual((await one.run(1, { text: acme })).report);
  });

  it('a report reusing an earlier one equals the report computed afresh', () => {
    const g = generate({ leads: 2000, seed: 5 });
    const a = replay(compileSource(acme).ir!, g.leads, g.events);
    const b = replay(compileSource(acme.replace('engagement >= 40', 'engagement >= 30')).ir!, g.leads, g.events, { did: a.did });
    const c = replay(compileSource(acme.replace('+40 once demo_request', '+45 once demo_request')).ir!, g.leads, g.events);
    const ra = computeReport(a);
    for (const st of [b, c]) expect(computeReport(st, { previous: { report: ra, scored: a } })).toEqual(computeReport(st));
  });
});

describe('worker client', () => {
  it('drops the answer of a superseded run and cancels it', async () => {
    const cancelled: number[] = [];
    const pending: ((r: RunResult) => void)[] = [];
    const api = {
      run: (id: number) => new Promise<RunResult>((res) => { pending[id] = res; }),
      cancel: async (id: number) => { cancelled.push(id); },
    } as unknown as Remote;
    const client = wrapWorker(api);
    const first = client.run({ text: 'a' });
    const second = client.run({ text: 'b' });
    expect(cancelled).toEqual([1]);
    pending[2]!({ id: 2, status: 'ok', diagnostics: [], ms: 1 });
    pending[1]!({ id: 1, status: 'cancelled', diagnostics: [], ms: 1 });
    expect(await first).toBeUndefined();
    expect((await second)?.id).toBe(2);
  });
});

// The IR analysis every back end reads: what each score and band reads,
// which change with time, and what a set of conditions needs. Expected sets
// are worked out by hand from each ruleset's text.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../language/index.js';
import { analyseIR, arithScores, condReads, condReadsKind, readsLeadOnly } from '../../language/compile/analysis.js';
import type { IR, IRCond } from '../../language/compile/ir.js';

function irOf(text: string): IR {
  const r = compileSource(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  if (!r.ir) throw new Error('no IR');
  return r.ir;
}

const RULESET = `
activity web_visit, demo_request
fit { +30 when employees >= 500  +10 when industry == "saas" }
engagement { +2 per web_visit, max 20 }
score bonus { +5 when fit >= 30 }
score heat { +5 when grade == A and days since last web_visit < 7 }
score total = fit + engagement
score doubled = bonus * 2
band grade from fit { A >= 30, B otherwise }
band warmth from total { hot >= 50, cold otherwise }
stages {
  SQL when fit >= 30 and demo_request
  MQL when warmth == hot
  lead otherwise
}
`;

const stageCond = (ir: IR, name: string): IRCond => {
  const c = ir.stages.find((s) => s.name === name)?.cond;
  if (!c) throw new Error(`no condition for stage ${name}`);
  return c;
};

describe('analyseIR', () => {
  const ir = irOf(RULESET);
  const a = analyseIR(ir);

  it('records what each score and band reads directly', () => {
    const reads = (k: `score:${string}` | `band:${string}`) => {
      const d = a.reads.get(k);
      return d && { scores: [...d.scores].sort(), bands: [...d.bands].sort(), time: d.time };
    };
    expect(reads('score:fit')).toEqual({ scores: [], bands: [], time: false });
    // a `per` rule reads events
    expect(reads('score:engagement')).toEqual({ scores: [], bands: [], time: true });
    expect(reads('score:bonus')).toEqual({ scores: ['fit'], bands: [], time: false });
    expect(reads('score:heat')).toEqual({ scores: [], bands: ['grade'], time: true });
    expect(reads('score:total')).toEqual({ scores: ['engagement', 'fit'], bands: [], time: false });
    expect(reads('band:grade')).toEqual({ scores: ['fit'], bands: [], time: false });
    expect(reads('band:warmth')).toEqual({ scores: ['total'], bands: [], time: false });
  });

  it('propagates time dependence through scores and bands', () => {
    // engagement and heat read events; total reads engagement; warmth reads total.
    // fit, bonus (fit only), doubled (bonus only) and grade (fit) never change.
    expect([...a.timeDependent].sort()).toEqual(['band:warmth', 'score:engagement', 'score:heat', 'score:total']);
  });

  it('tells static conditions from those that change with time', () => {
    const sql = stageCond(ir, 'SQL');
    expect(sql.k).toBe('and');
    if (sql.k !== 'and') return;
    const [fitPart, demoPart] = sql.args;
    if (!fitPart || !demoPart) throw new Error('two conjuncts expected');
    expect(a.isStatic(fitPart)).toBe(true); // fit >= 30: fit never changes
    expect(a.isStatic(demoPart)).toBe(false); // an activity: events
    expect(a.isStatic(stageCond(ir, 'MQL'))).toBe(false); // warmth reads total reads engagement
    // reading only static scores is still static, but not "the lead's attributes only"
    expect(readsLeadOnly(fitPart)).toBe(false);
    const fitRule = ir.scores.find((s) => s.name === 'fit');
    if (fitRule?.kind !== 'block' || fitRule.rules[0]?.k !== 'when') throw new Error('fit rule expected');
    expect(readsLeadOnly(fitRule.rules[0].cond)).toBe(true);
  });

  it('lists what a set of conditions needs, transitively', () => {
    expect([...a.needs([condReads(stageCond(ir, 'MQL'))])].sort()).toEqual(['band:warmth', 'score:engagement', 'score:fit', 'score:total']);
    expect([...a.needs([condReads(stageCond(ir, 'SQL'))])].sort()).toEqual(['score:fit']);
    expect([...a.needs([{ scores: new Set(['doubled']), bands: new Set(), time: false }])].sort()).toEqual([
      'score:bonus',
      'score:doubled',
      'score:fit',
    ]);
    expect(a.needs([])).toEqual(new Set());
  });
});

describe('condition walkers', () => {
  const ir = irOf(`
activity web_visit
fit { +1 when lower(title) contains "vp" }
stages { SQL when MQL and count(web_visit in last 30 days) >= 2, MQL when days since created_at < 10, lead otherwise }
route { "call" when stage == SQL, "wait" otherwise }
`);

  it('finds the node kinds a condition reads', () => {
    const sql = stageCond(ir, 'SQL');
    expect(condReadsKind(sql, ['reached'])).toBe(true);
    expect(condReadsKind(sql, ['stage'])).toBe(false);
    expect(condReadsKind(ir.routes[0]?.cond ?? null, ['stage'])).toBe(true);
    expect(condReads(ir.routes[0]?.cond ?? null).time).toBe(true);
    expect(condReadsKind(sql, ['count'])).toBe(true);
    expect(condReadsKind(sql, ['daysSince', 'has'])).toBe(false);
    // the evaluation time counts as time
    expect(condReads(stageCond(ir, 'MQL')).time).toBe(true);
    expect(condReads(null)).toEqual({ scores: new Set(), bands: new Set(), time: false });
  });

  it('lists the scores of an arithmetic expression', () => {
    const ir2 = irOf('fit { +1 when a > 1 }\nengagement { +1 when b > 1 }\nscore t = fit * 2 - (engagement + fit)');
    const t = ir2.scores.find((s) => s.name === 't');
    if (t?.kind !== 'derived') throw new Error('derived score expected');
    expect(arithScores(t.expr)).toEqual(['fit', 'engagement', 'fit']);
  });
});

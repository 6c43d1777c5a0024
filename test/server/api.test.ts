// `lql serve`: the HTTP API of docs/serve.md on both storage back ends
// (PGlite, and a real PostgreSQL server via --database).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ADMIN, api, backends, connectEditor, createRuleset, startServer, acked, type TestServer } from './support.js';
import { hashToken } from '../../server/access.js';

const acme = readFileSync('examples/acme.lql', 'utf8');

// A ruleset whose results can be worked out by hand: fit = +40 for finance, MQL at 30.
const small = `ruleset "Small"
attribute industry: text
fit {
  +40 when industry == "finance"
}
stages {
  MQL when fit >= 30
  lead otherwise
}
`;
const leadsCsv = 'id,outcome,industry\nL1,won,finance\nL2,lost,finance\nL3,won,retail\nL4,lost,retail\nL5,won,finance\n';

for (const b of backends()) {
  describe.skipIf(b.skip !== null)(`lql serve HTTP API (${b.name})`, () => {
    let s: TestServer;
    beforeAll(async () => {
      await b.start();
      s = await startServer({ databaseUrl: b.url() });
    }, 180_000);
    afterAll(async () => {
      await s?.stop();
      await b.stop();
    });

    it('creates a ruleset with three capability links and serves its text', async () => {
      const r = await api(s.url, '/api/rulesets', { token: ADMIN, body: { name: 'ACME', source: acme } });
      expect(r.status).toBe(201);
      expect(Object.keys(r.json.links).sort()).toEqual(['edit', 'review', 'view']);
      for (const link of Object.values(r.json.links) as string[]) {
        const u = new URL(link);
        expect(u.origin).toBe(s.url);
        expect(u.searchParams.get('ruleset')).toBe(r.json.id);
        // 128 random bits, base64url
        expect(Buffer.from(u.searchParams.get('token')!, 'base64url').length).toBe(16);
      }
      const view = new URL(r.json.links.view).searchParams.get('token')!;
      const src = await api(s.url, `/api/rulesets/${r.json.id}/source`, { token: view });
      expect(src.status).toBe(200);
      expect(src.type).toMatch(/^text\/plain/);
      expect(src.text).toBe(acme);
      // tokens are stored only as hashes
      const stored = await s.db.query<{ hash: string }>('SELECT hash FROM access_tokens');
      expect(stored.some((x) => x.hash === view)).toBe(false);
      expect(stored.some((x) => x.hash === hashToken(view))).toBe(true);
    });

    it('answers 401, 403, 404 and 413 with JSON error bodies', async () => {
      const rs = await createRuleset(s.url, small);
      const other = await createRuleset(s.url, small);
      const noToken = await api(s.url, `/api/rulesets/${rs.id}/source`);
      expect(noToken.status).toBe(401);
      expect(noToken.json.error).toMatch(/token/);
      expect((await api(s.url, `/api/rulesets/${rs.id}/source`, { token: 'wrong' })).status).toBe(401);
      // a link of another ruleset, a role that may not
      expect((await api(s.url, `/api/rulesets/${rs.id}/source`, { token: other.edit })).status).toBe(403);
      const viewCreates = await api(s.url, '/api/rulesets', { token: rs.view, body: { name: 'x', source: '' } });
      expect(viewCreates.status).toBe(403);
      expect(viewCreates.json.error).toMatch(/view link may not/);
      expect((await api(s.url, `/api/rulesets/${rs.id}/comments`, { token: rs.view, body: { line: 1, body: 'hi' } })).status).toBe(403);
      expect((await api(s.url, `/api/rulesets/${rs.id}/proposals`, { token: rs.review, body: { title: 'x' } })).status).toBe(403);
      expect((await api(s.url, `/api/rulesets/${rs.id}/releases/latest/scorer.mjs`, { token: rs.view })).status).toBe(404);
      const big = await api(s.url, '/api/rulesets', { token: ADMIN, body: { name: 'big', source: 'x'.repeat(2 << 20) } });
      expect(big.status).toBe(413);
      expect(big.json.error).toMatch(/limit/);
      // only the static page answers without a token
      expect((await api(s.url, '/api/rulesets')).status).toBe(401);
      expect((await api(s.url, `/api/rulesets/${rs.id}/audit`)).status).toBe(401);
      const page = await fetch(s.url + '/');
      expect([200, 404]).toContain(page.status);
    });

    it('propose -> impact vs the last release -> approve -> publish -> scorer.mjs scores as the source says', async () => {
      const rs = await createRuleset(s.url, small);
      const form = new FormData();
      form.set('leads', new Blob([leadsCsv]), 'leads.csv');
      form.set('name', 'Five leads');
      const up = await api(s.url, `/api/rulesets/${rs.id}/dataset`, { token: rs.edit, raw: form });
      expect(up.status).toBe(201);
      expect(up.json.leads.bytes).toBe(leadsCsv.length);
      const p1 = await api(s.url, `/api/rulesets/${rs.id}/proposals`, { token: rs.edit, name: 'Ana', body: { title: 'first' } });
      expect(p1.status).toBe(201);
      // by hand: finance leads L1, L2, L5 reach MQL (fit 40 >= 30), two of them won
      const mql = p1.json.impact.stages.find((x: any) => x.name === 'MQL');
      expect(mql).toMatchObject({ reached: 3, won: 2 });
      expect(p1.json.impact.baseline).toBeNull();
      // an edit link cannot approve; a review link can
      expect((await api(s.url, `/api/rulesets/${rs.id}/proposals/${p1.json.id}/decision`, { token: rs.edit, body: { decision: 'approve' } })).status).toBe(403);
      expect((await api(s.url, `/api/rulesets/${rs.id}/proposals/${p1.json.id}/publish`, { token: rs.review, method: 'POST' })).status).toBe(409);
      const ok = await api(s.url, `/api/rulesets/${rs.id}/proposals/${p1.json.id}/decision`, { token: rs.review, name: 'Bo', body: { decision: 'approve', comment: 'good' } });
      expect(ok.json).toMatchObject({ status: 'approved', decidedBy: 'Bo (review link)', decisionComment: 'good' });
      const rel = await api(s.url, `/api/rulesets/${rs.id}/proposals/${p1.json.id}/publish`, { token: rs.review, name: 'Bo', method: 'POST' });
      expect(rel.status).toBe(201);
      expect(rel.json).toMatchObject({ version: 1, publishedBy: 'Bo (review link)', source: small });
      const mjs = await api(s.url, `/api/rulesets/${rs.id}/releases/latest/scorer.mjs`, { token: rs.view });
      expect(mjs.status).toBe(200);
      const file = join(mkdtempSync(join(tmpdir(), 'lql-rel-')), 'scorer.mjs');
      writeFileSync(file, mjs.text);
      const mod = await import(pathToFileURL(file).href);
      expect(mod.score({ industry: 'finance' }).stage).toBe('MQL');
      expect(mod.score({ industry: 'retail' }).stage).not.toBe('MQL');
      for (const f of ['scorer.cjs', 'scorer.sql', 'report.json', 'source.lql']) {
        expect((await api(s.url, `/api/rulesets/${rs.id}/releases/1/${f}`, { token: rs.view })).status).toBe(200);
      }

      // the second proposal is measured against release 1: raise the bar so finance leads leave MQL
      const ed = await connectEditor(s.url, rs.id, rs.edit);
      const at = ed.text.toString().indexOf('fit >= 30');
      expect(at).toBeGreaterThan(0);
      ed.doc.transact(() => { ed.text.delete(at + 'fit >= '.length, 2); ed.text.insert(at + 'fit >= '.length, '50'); });
      await acked(ed);
      ed.destroy();
      expect((await api(s.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text).toContain('fit >= 50');
      const p2 = await api(s.url, `/api/rulesets/${rs.id}/proposals`, { token: rs.edit, body: { title: 'stricter' } });
      expect(p2.json.baseVersion).toBe(1);
      const move = p2.json.impact.moves.find((m: any) => m.stage === 'MQL');
      expect(move).toMatchObject({ entered: 0, left: 3 });
      expect(move.leftIds.sort()).toEqual(['L1', 'L2', 'L5']);
      expect(p2.json.impact.delta.stages.find((x: any) => x.name === 'MQL').reached).toBe(-3);
      const rej = await api(s.url, `/api/rulesets/${rs.id}/proposals/${p2.json.id}/decision`, { token: rs.review, body: { decision: 'reject', comment: 'too strict' } });
      expect(rej.json.status).toBe('rejected');
      expect((await api(s.url, `/api/rulesets/${rs.id}/proposals/${p2.json.id}/publish`, { token: rs.review, method: 'POST' })).status).toBe(409);

      // any two versions diff with their impact
      const diff = await api(s.url, `/api/rulesets/${rs.id}/diff?a=release:1&b=proposal:${p2.json.id}`, { token: rs.view });
      expect(diff.status).toBe(200);
      expect(diff.json.hunks.flatMap((h: any) => h.lines)).toEqual(expect.arrayContaining(['-  MQL when fit >= 30', '+  MQL when fit >= 50']));
      expect(diff.json.impact.moves.find((m: any) => m.stage === 'MQL').left).toBe(3);

      // releases are immutable, in the database too
      await expect(s.db.query("UPDATE releases SET source = 'x' WHERE ruleset_id = $1", [rs.id])).rejects.toThrow(/immutable/);
      const releases = await api(s.url, `/api/rulesets/${rs.id}/releases`, { token: rs.view });
      expect(releases.json.map((r: any) => r.version)).toEqual([1]);

      const log = await api(s.url, `/api/rulesets/${rs.id}/audit`, { token: rs.view });
      expect(log.json.map((e: any) => e.action).reverse()).toEqual(['create ruleset', 'upload data', 'propose', 'approve', 'publish', 'propose', 'reject']);
      expect(log.json.find((e: any) => e.action === 'propose').actor).toBe('someone (edit link)');
    });

    it('comment threads: line comments, replies, resolve', async () => {
      const rs = await createRuleset(s.url, small);
      const c = await api(s.url, `/api/rulesets/${rs.id}/comments`, { token: rs.review, name: '<img src=x onerror=alert(1)>', body: { line: 5, body: 'why 30?' } });
      expect(c.status).toBe(201);
      await api(s.url, `/api/rulesets/${rs.id}/comments`, { token: rs.edit, name: 'Ana', body: { threadId: c.json.id, body: 'sales capacity' } });
      expect((await api(s.url, `/api/rulesets/${rs.id}/comments`, { token: rs.edit, body: { threadId: 999999, body: 'x' } })).status).toBe(404);
      expect((await api(s.url, `/api/rulesets/${rs.id}/comments/${c.json.id}/resolve`, { token: rs.edit, body: {} })).status).toBe(200);
      const list = await api(s.url, `/api/rulesets/${rs.id}/comments`, { token: rs.view });
      expect(list.json).toHaveLength(1);
      expect(list.json[0]).toMatchObject({ line: 5, resolved: true, resolvedBy: 'someone (edit link)' });
      expect(list.json[0].comments.map((x: any) => [x.author, x.body])).toEqual([['<img src=x onerror=alert(1)> (review link)', 'why 30?'], ['Ana (edit link)', 'sales capacity']]);
    });

    it('refuses a text with errors as a proposal (422) and limits failed tokens (429)', async () => {
      const rs = await createRuleset(s.url, 'ruleset "x"\nstages {\n  MQL when fit >=\n  lead otherwise\n}\n');
      const r = await api(s.url, `/api/rulesets/${rs.id}/proposals`, { token: rs.edit, body: {} });
      expect(r.status).toBe(422);
      expect(r.json.error).toMatch(/errors/);
      // a fresh limiter per server: 20 failures per minute per address (the last test here: it blocks 127.0.0.1)
      let last = 0;
      for (let i = 0; i < 25; i++) last = (await api(s.url, `/api/rulesets/${rs.id}/source`, { token: `bad${i}` })).status;
      expect(last).toBe(429);
      // while blocked, even a good token is refused from that address
      expect((await api(s.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).status).toBe(429);
    });
  });
}

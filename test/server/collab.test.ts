// `lql serve` co-editing: simulated editors on loopback converge; bad,
// oversized and unauthorised collaboration messages are refused without
// disturbing the others; a view token cannot change the text even through
// the raw protocol. Run on both storage back ends.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as Y from 'yjs';
import { api, backends, connectEditor, createRuleset, startServer, until, acked, rawClient, authMessage, updateMessage, insertUpdate, type TestServer, type Editor } from './support.js';

const BASE = 'ruleset "Shared"\n';

/** Every editor's text, and the server's, must be the same; returns it. */
async function converged(s: TestServer, id: string, token: string, editors: Editor[], ms: number): Promise<string> {
  let server = '';
  await until(async () => {
    const texts = new Set(editors.map((e) => e.text.toString()));
    if (texts.size !== 1) return false;
    server = (await api(s.url, `/api/rulesets/${id}/source`, { token })).text;
    return texts.has(server);
  }, ms, `${editors.length} editors and the server to hold the same text`);
  return server;
}

for (const b of backends()) {
  describe.skipIf(b.skip !== null)(`lql serve co-editing (${b.name})`, () => {
    let s: TestServer;
    beforeAll(async () => {
      await b.start();
      s = await startServer({ databaseUrl: b.url() });
    }, 180_000);
    afterAll(async () => {
      await s?.stop();
      await b.stop();
    });

    it('two editors typing at once converge, each seeing the other\'s text and presence', async () => {
      const rs = await createRuleset(s.url, BASE);
      const a = await connectEditor(s.url, rs.id, rs.edit, { name: 'Ana' });
      const c = await connectEditor(s.url, rs.id, rs.edit, { name: 'Bo' });
      for (let i = 0; i < 20; i++) {
        a.text.insert(a.text.length, `# ana ${i}\n`);
        c.text.insert(0, `# bo ${i}\n`);
      }
      const text = await converged(s, rs.id, rs.view, [a, c], 20_000);
      for (let i = 0; i < 20; i++) {
        expect(text).toContain(`# ana ${i}\n`);
        expect(text).toContain(`# bo ${i}\n`);
      }
      expect(text).toContain(BASE);
      expect(text.length).toBe(BASE.length + [...Array(20).keys()].reduce((n, i) => n + `# ana ${i}\n`.length + `# bo ${i}\n`.length, 0));
      await until(() => [...a.provider.awareness!.getStates().values()].some((st) => st.user?.name === 'Bo'), 10_000, 'Ana to see Bo\'s presence');
      a.destroy();
      c.destroy();
    });

    it('an offline editor\'s changes merge when it reconnects', async () => {
      const rs = await createRuleset(s.url, BASE);
      const a = await connectEditor(s.url, rs.id, rs.edit);
      const offline = new Y.Doc();
      Y.applyUpdate(offline, Y.encodeStateAsUpdate(a.doc));
      a.text.insert(a.text.length, '# online\n');
      offline.getText('source').insert(0, '# offline\n');
      await acked(a);
      const back = await connectEditor(s.url, rs.id, rs.edit);
      Y.applyUpdate(back.doc, Y.encodeStateAsUpdate(offline));
      const text = await converged(s, rs.id, rs.view, [a, back], 20_000);
      expect(text).toBe('# offline\n' + BASE + '# online\n');
      a.destroy();
      back.destroy();
    });

    it('50 editors converge in bounded time', async () => {
      const rs = await createRuleset(s.url, BASE);
      const editors = await Promise.all(Array.from({ length: 50 }, (_, i) => connectEditor(s.url, rs.id, rs.edit, { name: `E${i}`, timeoutMs: 60_000 })));
      let expected = BASE.length;
      for (let round = 0; round < 3; round++) {
        editors.forEach((e, i) => {
          const s1 = `[${i}.${round}]`;
          // at the start or the end: concurrent inserts there never split one another
          e.text.insert((i + round) % 2 ? 0 : e.text.length, s1);
          expected += s1.length;
        });
      }
      const text = await converged(s, rs.id, rs.view, editors, 60_000);
      expect(text.length).toBe(expected);
      for (let i = 0; i < 50; i++) for (let r = 0; r < 3; r++) expect(text).toContain(`[${i}.${r}]`);
      editors.forEach((e) => e.destroy());
    }, 120_000);

    it('refuses connections without a valid token for the ruleset', async () => {
      const rs = await createRuleset(s.url, BASE);
      const other = await createRuleset(s.url, BASE);
      await expect(rawClient(s.url, null)).rejects.toThrow(/401/);
      await expect(rawClient(s.url, 'not-a-token')).rejects.toThrow(/401/);
      // a valid token of another ruleset: the upgrade passes, the document is refused
      await expect(connectEditor(s.url, rs.id, other.edit, { timeoutMs: 5_000 })).rejects.toThrow(/authentication failed/);
      const raw = await rawClient(s.url, other.edit);
      raw.send(authMessage(rs.id, other.edit));
      raw.send(updateMessage(rs.id, insertUpdate('# intruder\n')));
      await new Promise((r) => setTimeout(r, 500));
      raw.ws.close();
      expect((await api(s.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text).toBe(BASE);
    });

    it('a view token cannot change the text through the raw protocol; others are not affected', async () => {
      const rs = await createRuleset(s.url, BASE);
      const a = await connectEditor(s.url, rs.id, rs.edit);
      const raw = await rawClient(s.url, rs.view);
      raw.send(authMessage(rs.id, rs.view));
      await until(() => raw.received.length > 0, 10_000, 'the auth answer');
      raw.send(updateMessage(rs.id, insertUpdate('# from a viewer\n')));
      a.text.insert(a.text.length, '# editor\n');
      await acked(a);
      await new Promise((r) => setTimeout(r, 500));
      const text = await converged(s, rs.id, rs.view, [a], 10_000);
      expect(text).toBe(BASE + '# editor\n');
      // and a view editor built with the provider is read-only too
      const v = await connectEditor(s.url, rs.id, rs.view);
      v.text.insert(0, '# viewer edit\n');
      await new Promise((r) => setTimeout(r, 800));
      expect((await api(s.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text).toBe(BASE + '# editor\n');
      expect(a.text.toString()).toBe(BASE + '# editor\n');
      raw.ws.close();
      v.destroy();
      a.destroy();
    });

    it('malformed and oversized messages close only the sender\'s connection', async () => {
      const rs = await createRuleset(s.url, BASE);
      const a = await connectEditor(s.url, rs.id, rs.edit);
      const bad = await rawClient(s.url, rs.edit);
      bad.send(authMessage(rs.id, rs.edit));
      await until(() => bad.received.length > 0, 10_000, 'the auth answer');
      // a sync update whose payload is not a Yjs update
      bad.send(updateMessage(rs.id, new Uint8Array([1, 2, 3, 4, 5, 200, 1, 1])));
      const closed = await Promise.race([bad.closed, new Promise<null>((r) => setTimeout(() => r(null), 5_000))]);
      expect(closed).not.toBeNull();
      // garbage framing
      const junk = await rawClient(s.url, rs.edit);
      junk.send(new Uint8Array([255, 255, 255, 255, 255, 255]));
      expect(await Promise.race([junk.closed, new Promise<null>((r) => setTimeout(() => r(null), 5_000))])).not.toBeNull();
      // a message kind clients may not send (broadcast to everyone)
      const bc = await rawClient(s.url, rs.edit);
      bc.send(authMessage(rs.id, rs.edit));
      await until(() => bc.received.length > 0, 10_000, 'the auth answer');
      const got: string[] = [];
      a.provider.on('stateless', ({ payload }: { payload: string }) => got.push(payload));
      const m = new Uint8Array([...updateMessage(rs.id, new Uint8Array()).slice(0, rs.id.length + 1), 6, 5, ...new TextEncoder().encode('spoof')]);
      bc.send(m);
      expect(await Promise.race([bc.closed, new Promise<null>((r) => setTimeout(() => r(null), 5_000))])).not.toBeNull();
      // oversized: more than 1 MB in one message
      const big = await rawClient(s.url, rs.edit);
      big.send(authMessage(rs.id, rs.edit));
      big.send(updateMessage(rs.id, insertUpdate('x'.repeat(1_100_000))));
      expect((await big.closed).code).toBe(1009);
      // the editor is still connected and its edits still go through
      a.text.insert(a.text.length, '# still here\n');
      await acked(a);
      expect(await converged(s, rs.id, rs.view, [a], 10_000)).toBe(BASE + '# still here\n');
      expect(got).toEqual([]);
      a.destroy();
    });
  });
}

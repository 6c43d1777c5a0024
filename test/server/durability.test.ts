// `lql serve` durability: kill -9 the server while an editor is typing,
// start it again on the same data folder: every edit the server had
// acknowledged is still there, and so are releases and comments.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, connectEditor, createRuleset, spawnServer, until } from './support.js';

describe('lql serve survives kill -9', () => {
  it('keeps every acknowledged edit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lql-kill-'));
    const first = await spawnServer(dataDir);
    try {
      const rs = await createRuleset(first.url, 'ruleset "Durable"\n');
      await api(first.url, `/api/rulesets/${rs.id}/comments`, { token: rs.review, body: { line: 1, body: 'keep me' } });
      const ed = await connectEditor(first.url, rs.id, rs.edit);
      // type one line at a time; remember the lines the server acknowledged
      const acknowledged: string[] = [];
      let killed = false;
      for (let i = 0; i < 400 && !killed; i++) {
        const line = `# line ${i}\n`;
        ed.text.insert(ed.text.length, line);
        if (i === 150) {
          // kill while edits are in flight
          first.child.kill('SIGKILL');
          killed = true;
          break;
        }
        if (i % 3 === 0) {
          await until(() => !ed.provider.hasUnsyncedChanges, 20_000, 'acknowledgement');
          for (let j = acknowledged.length; j <= i; j++) acknowledged.push(`# line ${j}\n`);
        }
      }
      await new Promise((r) => first.child.once('exit', r));
      ed.destroy();
      expect(acknowledged.length).toBeGreaterThan(100);
      const second = await spawnServer(dataDir);
      try {
        const text = (await api(second.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text;
        for (const line of acknowledged) expect(text).toContain(line);
        const comments = await api(second.url, `/api/rulesets/${rs.id}/comments`, { token: rs.view });
        expect(comments.json[0].comments[0].body).toBe('keep me');
        // and it goes on accepting edits
        const again = await connectEditor(second.url, rs.id, rs.edit);
        expect(again.text.toString()).toBe(text);
        again.text.insert(again.text.length, '# after restart\n');
        await until(() => !again.provider.hasUnsyncedChanges, 20_000, 'acknowledgement');
        again.destroy();
        expect((await api(second.url, `/api/rulesets/${rs.id}/source`, { token: rs.view })).text).toBe(text + '# after restart\n');
      } finally {
        second.child.kill('SIGTERM');
        await new Promise((r) => second.child.once('exit', r));
      }
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

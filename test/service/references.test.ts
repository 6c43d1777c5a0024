// Find references and rename over every place a declared name is written.
import { describe, expect, it } from 'vitest';
import { getReferences, getRenameEdits, prepareRename, type TextEdit } from '../../language/service/index.js';
import { LineIndex } from '../../language/service/lsp.js';

const SRC = `activity web_visit, demo_request
list freemail = ["gmail.com"]
segment personal = domain(email) in freemail
fit { -20 when personal }
engagement { +5 per web_visit, max 20  +30 once demo_request }
band grade from fit { A >= 0, B otherwise }
stages { SQL when MQL and demo_request, MQL when engagement >= 10, lead otherwise }
route { "call" when stage == SQL and grade == A, "drop" otherwise }
test "a demo makes SQL" {
  lead { email: "a@b.com" }
  events { web_visit at 2026-01-01, web_visit at 2026-01-02, demo_request at 2026-01-03 }
  expect stage == SQL and grade == A and not personal
}
`;

function apply(text: string, edits: TextEdit[]): string {
  const li = new LineIndex(text);
  return [...edits]
    .map((e) => ({ s: li.offset(e.range.start), e: li.offset(e.range.end), t: e.newText }))
    .sort((a, b) => b.s - a.s)
    .reduce((t, e) => t.slice(0, e.s) + e.t + t.slice(e.e), text);
}

const rename = (needle: string, nth: number, to: string): string => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = SRC.indexOf(needle, i + 1);
  const r = getRenameEdits(SRC, i + 1, to);
  if ('error' in r) throw new Error(r.error);
  return apply(SRC, r.edits);
};

describe('references and rename', () => {
  it('finds every use of an activity, in rules, stages and test events', () => {
    const refs = getReferences(SRC, SRC.indexOf('demo_request') + 1);
    // declaration, once rule, SQL condition, test event
    expect(refs).toHaveLength(4);
    expect(refs.map((r) => r.range.start.line)).toEqual([0, 4, 6, 10]);
    expect(getReferences(SRC, SRC.indexOf('demo_request') + 1, {}, false)).toHaveLength(3);
  });

  it('renames a stage in its declaration, in stage conditions, routes and tests', () => {
    const out = rename('MQL', 0, 'Marketing');
    expect(out).toContain('SQL when Marketing and demo_request, Marketing when engagement >= 10');
    expect(out).not.toContain('MQL');
    const sql = rename('SQL', 0, 'Sales Qualified');
    expect(sql.match(/`Sales Qualified`/g)).toHaveLength(3);
  });

  it('renames a list and a segment, and leaves text in strings alone', () => {
    const list = rename('freemail', 0, 'free_mail');
    expect(list).toContain('list free_mail = ["gmail.com"]');
    expect(list).toContain('domain(email) in free_mail');
    const seg = rename('personal', 1, 'consumer');
    expect(seg.match(/\bconsumer\b/g)).toHaveLength(3);
  });

  it('refuses what cannot be renamed, with the reason', () => {
    expect(prepareRename(SRC, SRC.indexOf('(email)') + 2)).toMatchObject({ error: expect.stringContaining('column of the data') });
    expect(prepareRename(SRC, SRC.indexOf('fit {') + 1)).toMatchObject({ error: expect.stringContaining('keeps its name') });
    expect(prepareRename(SRC, SRC.indexOf('"call"') + 2)).toMatchObject({ error: expect.stringContaining('Only the name') });
    expect(getRenameEdits(SRC, SRC.indexOf('personal') + 1, 'grade')).toMatchObject({ error: expect.stringContaining('already the name of a band') });
    expect(getRenameEdits(SRC, SRC.indexOf('personal') + 1, 'a`b')).toMatchObject({ error: expect.stringContaining('not a name') });
    // a reserved word is written in backticks
    expect(rename('personal', 0, 'when')).toContain('segment `when` =');
  });
});

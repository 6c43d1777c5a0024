// Formatter cases: input -> expected canonical text, written by hand.
import { describe, expect, it } from 'vitest';
import { format } from '../../language/format/formatter.js';

function fmt(src: string): string {
  const r = format(src);
  if ('error' in r) throw new Error(r.error.map((d) => d.message).join('\n'));
  return r.text;
}

/** Trim the common indentation of a template literal and keep a final newline. */
function lql(s: string): string {
  const lines = s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const ind = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(ind)).join('\n') + '\n';
}

describe('format: layout', () => {
  it('puts declarations on their lines, one space around operators', () => {
    expect(fmt('ruleset   "x"\nattribute employees : number\nsegment big=employees>=5_000')).toBe(
      lql(`
        ruleset "x"
        attribute employees: number
        segment big = employees >= 5_000
      `),
    );
  });

  it('writes one rule per line in blocks and aligns the points', () => {
    expect(fmt('activity v, d\nengagement { +2 per v, max 20, +40 once d -5 per v in last 7 days decay half-life 30 days }')).toBe(
      lql(`
        activity v, d
        engagement {
          +2  per v, max 20
          +40 once d
          -5  per v in last 7 days
          decay half-life 30 days
        }
      `),
    );
  });

  it('aligns the = of consecutive segments, not across a blank line', () => {
    expect(fmt('segment a = x == 1\nsegment long_name = y == 2\n\nsegment b = z == 3\nsegment bb = z == 4\n')).toBe(
      lql(`
        segment a         = x == 1
        segment long_name = y == 2

        segment b  = z == 3
        segment bb = z == 4
      `),
    );
  });

  it('aligns the when of stages and routes', () => {
    const src = 'stages { SQL when fit >= 30, MQL when fit >= 10, lead otherwise }\nroute { "call" when stage == SQL, "nurture later" otherwise }\nfit { +1 when x == 1 }';
    expect(fmt(src)).toBe(
      lql(`
        stages {
          SQL  when fit >= 30
          MQL  when fit >= 10
          lead otherwise
        }
        route {
          "call"          when stage == SQL
          "nurture later" otherwise
        }
        fit {
          +1 when x == 1
        }
      `),
    );
  });

  it('keeps short bands on one line and breaks long ones', () => {
    expect(fmt('band g from fit {A>=50 B>=-10 C otherwise}')).toBe('band g from fit { A >= 50, B >= -10, C otherwise }\n');
    const long = 'band engagement_temperature from engagement { very_hot >= 100, hot >= 60, warm >= 25, lukewarm >= 10, cold otherwise }';
    expect(fmt(long)).toBe(
      lql(`
        band engagement_temperature from engagement {
          very_hot >= 100
          hot      >= 60
          warm     >= 25
          lukewarm >= 10
          cold     otherwise
        }
      `),
    );
  });

  it('fills long activity lists and continues under the first name', () => {
    const names = 'web_visit content_download webinar_attended pricing_page_view demo_request quote_request email_click unsubscribe';
    expect(fmt('activity ' + names.split(' ').join(',\n'))).toBe(
      lql(`
        activity web_visit, content_download, webinar_attended, pricing_page_view,
                 demo_request, quote_request, email_click, unsubscribe
      `),
    );
  });

  it('lays out tests: lead and events filled, at, expects', () => {
    const src =
      'activity demo_request\ntest "t" { lead { industry: "financial_services", employees: 9000, title: "Chief Risk Officer", email: "x@bank.example" } events {demo_request at 2026-02-01} at 2026-06-01 expect stage == MQL }';
    expect(fmt(src)).toBe(
      lql(`
        activity demo_request
        test "t" {
          lead { industry: "financial_services", employees: 9000, title: "Chief Risk Officer",
                 email: "x@bank.example" }
          events { demo_request at 2026-02-01 }
          at 2026-06-01
          expect stage == MQL
        }
      `),
    );
  });

  it('keeps blank lines between declarations, at most one, and none at the start or end', () => {
    expect(fmt('\n\nattribute a: text\n\n\n\nattribute b: text\nattribute c: text\n\n\n')).toBe('attribute a: text\n\nattribute b: text\nattribute c: text\n');
  });

  it('prints derived scores and conditions as written, keeping parentheses', () => {
    expect(fmt('score total=( fit+engagement )*2 - -bant\nsegment s = not(a==1 or b==2)and c')).toBe(
      'score total = (fit + engagement) * 2 - -bant\nsegment s = not (a == 1 or b == 2) and c\n',
    );
  });

  it('writes every kind of condition canonically', () => {
    const src =
      'activity v\nlist l=["a" "b",]\nsegment s = t in l and t not in ["x","y"] and n between 1 and 5 and t starts with "a" and t ends with "b" and t contains "c" and t matches /x|y/i and n is missing and d is present and count( v in last 2 weeks )>3 and days since last v<3 and days since d>1 and lower(t)=="x" and domain(e)=="y.com" and f == true and d < 2026-01-10T09:30:00Z';
    expect(fmt(src)).toBe(
      'activity v\nlist l = ["a", "b"]\nsegment s = t in l and t not in ["x", "y"] and n between 1 and 5 and t starts with "a" and t ends with "b" and t contains "c" and t matches /x|y/i and n is missing and d is present and count(v in last 2 weeks) > 3 and days since last v < 3 and days since d > 1 and lower(t) == "x" and domain(e) == "y.com" and f == true and d < 2026-01-10T09:30:00Z\n',
    );
  });
});

describe('format: tokens', () => {
  it('re-escapes texts canonically', () => {
    expect(fmt('ruleset "a\\u{41}\\t\\"q\\" \\\\ é"')).toBe('ruleset "aA\\t\\"q\\" \\\\ é"\n');
  });

  it('keeps backticks only where needed', () => {
    expect(fmt('segment `big` = `Lead Origin` == "x" and `when` == 1 and `lead` == 2')).toBe(
      'segment big = `Lead Origin` == "x" and `when` == 1 and lead == 2\n',
    );
  });

  it('keeps numbers and durations as written', () => {
    expect(fmt('activity v\nengagement { +1.50 per v in last 1_0 days, max 5_000 }')).toBe('activity v\nengagement {\n  +1.50 per v in last 1_0 days, max 5_000\n}\n');
  });
});

describe('format: comments', () => {
  it('keeps own-line comments before what they precede and trailing comments on their line', () => {
    const src = '# top\nfit { # the profile\n  # big ones\n  +30 when big   # large firms\n  # nothing after\n}\n# end\n';
    expect(fmt(src)).toBe('# top\nfit { # the profile\n  # big ones\n  +30 when big # large firms\n  # nothing after\n}\n# end\n');
  });

  it('moves a comment written inside an item above the item', () => {
    const src = 'segment s = a == 1 and\n  # why b\n  b == 2\n';
    expect(fmt(src)).toBe('# why b\nsegment s = a == 1 and b == 2\n');
  });

  it('keeps a trailing comment of a joined line at its end; extra ones move above', () => {
    const src = 'segment s = a == 1 and # first\n  b == 2 # second\n';
    expect(fmt(src)).toBe('# first\nsegment s = a == 1 and b == 2 # second\n');
  });

  it('keeps blank lines around comments between declarations', () => {
    const src = 'attribute a: text\n\n# --- section\nattribute b: text\n';
    expect(fmt(src)).toBe(src);
  });
});

describe('format: refusal and flags', () => {
  it('refuses text with syntax errors and returns them', () => {
    const r = format('fit { +10 when }');
    expect('error' in r).toBe(true);
    if ('error' in r) expect(r.error[0]?.code).toMatch(/^LQL1/);
  });

  it('reports whether anything changed', () => {
    expect(format('attribute a: text\n')).toEqual({ text: 'attribute a: text\n', changed: false });
    expect(format('attribute a:text')).toEqual({ text: 'attribute a: text\n', changed: true });
    expect(format('')).toEqual({ text: '', changed: false });
  });
});

/**
 * Column statistics of a leads table, for editors' completion and hover:
 * each column's type, fill rate, number of distinct values and its most
 * frequent values (for many distinct numbers or dates: quantiles).
 *
 * Input: a loaded LeadTable. Output: the language service's ColumnInfo[].
 * Invariant: pure; reads the columns once; missing cells are not samples.
 */
import type { ColumnInfo } from '../../language/service/context.js';
import type { LeadTable } from './table.js';

/** Column statistics for completion and hover: type, fill rate, distinct values, most frequent values. */
export function columnInfo(leads: LeadTable): ColumnInfo[] {
  const out: ColumnInfo[] = [];
  const n = leads.n;
  for (const [name, c] of leads.columns) {
    if (c.type === 'text') {
      const counts = new Int32Array(c.dict.length);
      let filled = 0;
      for (let i = 0; i < n; i++) { const k = c.codes[i]!; if (k >= 0) { counts[k]! += 1; filled++; } }
      const order = Array.from(counts.keys()).filter((k) => counts[k]! > 0).sort((a, b) => counts[b]! - counts[a]!);
      out.push({ name, type: 'text', fillRate: n ? filled / n : 0, distinct: order.length, samples: order.slice(0, 8).map((k) => c.dict[k]!) });
    } else if (c.type === 'bool') {
      let t = 0; let f = 0;
      for (let i = 0; i < n; i++) { if (c.values[i] === 1) t++; else if (c.values[i] === 0) f++; }
      out.push({ name, type: 'bool', fillRate: n ? (t + f) / n : 0, distinct: (t ? 1 : 0) + (f ? 1 : 0), samples: t >= f ? ['true', 'false'] : ['false', 'true'] });
    } else {
      const present: number[] = [];
      for (let i = 0; i < n; i++) { const v = c.values[i]!; if (v === v) present.push(v); }
      const counts = new Map<number, number>();
      for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
      const show = (v: number) => (c.type === 'date' ? new Date(v).toISOString().slice(0, 10) : String(v));
      let samples: string[];
      if (counts.size <= 12) samples = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([v]) => show(v));
      else {
        present.sort((a, b) => a - b);
        samples = [0, 0.25, 0.5, 0.75, 1].map((q) => show(present[Math.min(present.length - 1, Math.floor(q * (present.length - 1)))]!));
        samples = [...new Set(samples)];
      }
      out.push({ name, type: c.type, fillRate: n ? present.length / n : 0, distinct: counts.size, samples });
    }
  }
  return out;
}

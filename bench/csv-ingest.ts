/**
 * Benchmark: CSV ingest into a typed LeadTable (DESIGN.md target: >= 50 MB/s).
 *
 * Input: none; generates a deterministic ~64 MB leads CSV (ids, outcome,
 * created_at, numbers, dictionary text with quoted commas, bools) in memory
 * and in a temporary file.
 * Output: `run()` returns the printed lines: MB/s for the in-memory path
 * (the playground's) and the streaming file path (the CLI's), with columns
 * inferred and with declared types, and rows/s; best of three, by wall
 * clock and by the process's CPU time (steadier on a shared machine).
 * Invariants: the generated data is the same on every run (seeded), and the
 * loaded row count is checked against the generated one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLeadsFile } from '../simulator/data/files.js';
import { loadLeadsSync } from '../simulator/data/leads.js';
import type { LoadOptions } from '../simulator/data/table.js';

const INDUSTRIES = ['Software', 'Retail', 'Healthcare', 'Finance', 'Manufacturing', 'Education', 'Media', 'Logistics'];
const COUNTRIES = ['India', 'United States', 'Germany', 'Brazil', 'France', 'Japan', 'Kenya', 'Canada', 'Spain', 'Mexico'];
const TITLES = ['VP Sales', 'Head of Marketing', '"Director, Demand Gen"', 'CEO', 'Analyst', '"Manager, ""Growth"""', 'Intern'];

/** A deterministic leads CSV of about `bytes` characters; returns the text and its row count. */
export function generateLeadsCsv(bytes: number): { text: string; rows: number } {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const parts: string[] = ['id,outcome,created_at,employees,revenue,industry,country,title,newsletter,visits,last_seen\n'];
  let size = parts[0]!.length;
  let rows = 0;
  const base = Date.UTC(2024, 0, 1);
  while (size < bytes) {
    rows++;
    const r = rnd();
    const created = new Date(base + Math.floor(rnd() * 365 * 86_400_000)).toISOString();
    const line =
      `L${String(rows).padStart(8, '0')},${r < 0.3 ? 'won' : r < 0.9 ? 'lost' : ''},${created},` +
      `${Math.floor(rnd() * 5000)},${(rnd() * 1e6).toFixed(2)},${INDUSTRIES[Math.floor(rnd() * 8)]},` +
      `${COUNTRIES[Math.floor(rnd() * 10)]},${TITLES[Math.floor(rnd() * 7)]},${rnd() < 0.5 ? 'true' : 'false'},` +
      `${Math.floor(rnd() * 40)},${created.slice(0, 10)}\n`;
    parts.push(line);
    size += line.length;
  }
  return { text: parts.join(''), rows };
}

function mbps(bytes: number, ms: number): string {
  return ((bytes / 1_048_576) / (ms / 1000)).toFixed(1);
}

export async function run(): Promise<string[]> {
  const out: string[] = [];
  const { text, rows } = generateLeadsCsv(64 * 1_048_576);
  const bytes = Buffer.byteLength(text);
  const dir = mkdtempSync(join(tmpdir(), 'lql-csv-'));
  const path = join(dir, 'leads.csv');
  writeFileSync(path, text);
  const declared: LoadOptions = {
    types: { employees: 'number', revenue: 'number', industry: 'text', country: 'text', title: 'text', newsletter: 'bool', visits: 'number', last_seen: 'date' },
  };
  out.push(`csv-ingest: ${(bytes / 1_048_576).toFixed(1)} MB, ${rows.toLocaleString('en-US')} rows, 11 columns`);
  try {
    // warm up the readers on a slice, with types inferred and declared
    const warm = text.slice(0, text.indexOf('\n', 4_000_000) + 1);
    loadLeadsSync({ name: 'warmup.csv', text: warm });
    loadLeadsSync({ name: 'warmup.csv', text: warm }, declared);
    const cases: [string, () => Promise<number> | number][] = [
      ['in-memory text, types inferred', () => loadLeadsSync({ name: 'leads.csv', text }).n],
      ['in-memory text, types declared', () => loadLeadsSync({ name: 'leads.csv', text }, declared).n],
      ['file stream,    types inferred', async () => (await loadLeadsFile(path)).n],
      ['file stream,    types declared', async () => (await loadLeadsFile(path, declared)).n],
    ];
    for (const [label, fn] of cases) {
      let best = Infinity;
      let bestCpu = Infinity;
      for (let rep = 0; rep < 3; rep++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const n = await fn();
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        if (n !== rows) throw new Error(`${label}: loaded ${n} rows, expected ${rows}`);
        best = Math.min(best, ms);
        bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
      }
      out.push(
        `  ${label}: ${best.toFixed(0).padStart(5)} ms  ${mbps(bytes, best).padStart(6)} MB/s  ` +
          `${Math.round(rows / (best / 1000)).toLocaleString('en-US')} rows/s  ` +
          `(CPU time ${mbps(bytes, bestCpu)} MB/s)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  out.push('  target (DESIGN.md): >= 50 MB/s');
  return out;
}

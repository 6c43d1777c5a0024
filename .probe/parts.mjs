import { Session } from 'chdb';
import { readFileSync } from 'node:fs';
const sql = readFileSync(process.argv[2], 'utf8');
const i = sql.lastIndexOf('\nSELECT\n');
const withPart = sql.slice(0, i);
const settings = sql.slice(sql.lastIndexOf('\nSETTINGS'));
const s = new Session();
s.query(`CREATE TABLE leads ENGINE = Memory AS SELECT * FROM file('/work/wt/f17/examples/data/acme-leads.csv', 'CSVWithNames', 'id Nullable(String), outcome Nullable(String), created_at Nullable(String), closed_at Nullable(String), industry Nullable(String), employees Nullable(String), country Nullable(String), title Nullable(String), email Nullable(String), budget Nullable(String), timeframe_days Nullable(String)')`);
s.query(`CREATE TABLE events ENGINE = Memory AS SELECT * FROM file('/work/wt/f17/examples/data/acme-events.csv', 'CSVWithNames', 'lead_id Nullable(String), type Nullable(String), at Nullable(String)')`);
for (const cte of process.argv.slice(3)) {
  const t = performance.now();
  const out = s.query(`${withPart}\nSELECT count() FROM "${cte}"${settings}`, 'CSV');
  console.log(cte, out.trim(), Math.round(performance.now() - t), 'ms');
}
s.cleanup();

/**
 * Export buttons: the compiled scorer (ES module, CommonJS, JSON, SQL in a
 * chosen dialect), the scored leads as CSV and the report as JSON.
 *
 * Input: a callback that asks the worker for a file. Output: buttons; the
 * answered file is downloaded by the browser.
 * Invariants: the page never builds an export itself; a failed export is
 * said in words next to the buttons.
 */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.js';
import type { ExportFile, ScorerTarget, SqlDialect } from '../worker/api.js';

export type ExportKind = { kind: 'scorer'; target: ScorerTarget; dialect?: SqlDialect } | { kind: 'csv' } | { kind: 'report' };

export function download(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ExportPanel({ onExport }: { onExport: (k: ExportKind) => Promise<ExportFile> }) {
  const { t } = useI18n();
  const [dialect, setDialect] = useState<SqlDialect>('duckdb');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>();
  async function go(k: ExportKind) {
    try {
      const file = await onExport(k);
      if (file.ok) { download(file); setMsg({ ok: true, text: t('export.done', { file: file.fileName }) }); }
      else setMsg({ ok: false, text: t('export.failed', { message: file.message ?? '' }) });
    } catch (e) {
      setMsg({ ok: false, text: t('export.failed', { message: e instanceof Error ? e.message : String(e) }) });
    }
  }
  const targets: [ScorerTarget, MessageKey][] = [['esm', 'export.esm'], ['cjs', 'export.cjs'], ['json', 'export.json']];
  return (
    <div className="stack">
      <section className="stack" aria-labelledby="export-scorer-h">
        <h3 id="export-scorer-h">{t('export.scorer')}</h3>
        <div className="row">
          {targets.map(([target, key]) => (
            <button key={target} type="button" onClick={() => void go({ kind: 'scorer', target })}>{t(key)}</button>
          ))}
        </div>
        <div className="row">
          <label className="field inline"><span>{t('export.dialect')}</span>
            <select value={dialect} onChange={(e) => setDialect(e.target.value as SqlDialect)}>
              <option value="duckdb">DuckDB</option>
              <option value="postgres">PostgreSQL</option>
            </select></label>
          <button type="button" onClick={() => void go({ kind: 'scorer', target: 'sql', dialect })}>{t('export.sql')}</button>
        </div>
      </section>
      <section className="stack" aria-labelledby="export-results-h">
        <h3 id="export-results-h">{t('export.results')}</h3>
        <div className="row">
          <button type="button" onClick={() => void go({ kind: 'csv' })}>{t('export.csv')}</button>
          <button type="button" onClick={() => void go({ kind: 'report' })} data-testid="export-report">{t('export.report')}</button>
        </div>
      </section>
      {msg && <p className={msg.ok ? 'ok' : 'error'} role="status">{msg.text}</p>}
    </div>
  );
}

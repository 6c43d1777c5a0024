/**
 * The data panel: open an example (a ruleset with its dataset) from the
 * gallery, or upload a leads file (and
 * optionally an events file), map the id and outcome columns, load it in
 * the worker with a progress bar, and list data problems by file, line and
 * column.
 *
 * Input: the current `DataSummary`, load progress and error; callbacks that
 * start a load. Output: React elements.
 * Invariants: files are read on the page only to offer the column mapping
 * (the first 64 KB); the whole file is handed to the worker as bytes;
 * every control is a labelled form field, and the drop zone is also a
 * keyboard-focusable file picker.
 */
import { useRef, useState, type DragEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.js';
import type { DataSummary, LoadRequest, Progress } from '../worker/api.js';
import { EXAMPLES, type ExampleDataset } from './examples.js';
import { guessMapping, sniffColumns } from './sniff.js';

export interface DataPanelProps {
  summary?: DataSummary;
  progress?: Progress;
  error?: string;
  busy: boolean;
  /** per example id: false when its dataset is not reachable from this server */
  available?: Record<string, boolean>;
  onLoad(req: LoadRequest): void;
  onOpenExample(ex: ExampleDataset): void;
  /** stop the load in progress (a new file was chosen) */
  onCancel?(): void;
}

/** Speed (MB/s) and seconds left of a file being read, once there is enough to measure. */
export function readingPace(p: Progress): { rate: number; eta: number } | null {
  if (p.ms === undefined || p.ms < 200 || p.done <= 0 || !p.total) return null;
  const perMs = p.done / p.ms;
  const mbps = perMs / 1000;
  return { rate: mbps >= 10 ? Math.round(mbps) : Math.round(mbps * 10) / 10, eta: Math.max(0, Math.ceil((p.total - p.done) / perMs / 1000)) };
}

async function readHead(file: File): Promise<string> {
  return file.slice(0, 65536).text();
}

export function DataPanel(props: DataPanelProps) {
  const { t } = useI18n();
  const [leads, setLeads] = useState<File | undefined>();
  const [events, setEvents] = useState<File | undefined>();
  const [columns, setColumns] = useState<string[]>([]);
  const [idCol, setIdCol] = useState('@row');
  const [outCol, setOutCol] = useState('outcome');
  const [missing, setMissing] = useState('');
  const [lenient, setLenient] = useState(false);
  const [dragging, setDragging] = useState(false);
  const leadsInput = useRef<HTMLInputElement>(null);

  async function chooseLeads(file: File | undefined) {
    // a new file stops the one being read
    if (props.busy) props.onCancel?.();
    setLeads(file);
    if (!file) { setColumns([]); return; }
    const cols = sniffColumns(file.name, await readHead(file));
    setColumns(cols);
    const g = guessMapping(cols);
    setIdCol(g.id);
    setOutCol(g.outcome);
  }

  async function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (!files.length) return;
    // a file with lead_id,type,at in its header is the events file
    let ev: File | undefined;
    let ld: File | undefined;
    for (const file of files) {
      const cols = sniffColumns(file.name, await readHead(file));
      if (cols.includes('lead_id') && cols.includes('type') && cols.includes('at')) ev = file; else ld ??= file;
    }
    if (ld) await chooseLeads(ld);
    if (ev) setEvents(ev);
  }

  async function load() {
    if (!leads) return;
    props.onLoad({
      leads: { name: leads.name, bytes: await leads.arrayBuffer() },
      events: events ? { name: events.name, bytes: await events.arrayBuffer() } : undefined,
      id: idCol,
      outcome: outCol,
      missing: missing.split(',').map((s) => s.trim()).filter(Boolean),
      lenient,
    });
  }

  const s = props.summary;
  const p = props.progress;
  return (
    <div className="stack data-panel">
      <section className="stack" aria-labelledby="examples-h">
        <h3 id="examples-h">{t('data.example')}</h3>
        <ul className="gallery" data-testid="gallery">
          {EXAMPLES.map((x) => {
            const off = props.available?.[x.id] === false;
            return (
              <li key={x.id} className="gallery-item">
                <div>
                  <div className="strong">{t(`gallery.${x.id}.name` as MessageKey)}</div>
                  <div className="small"><code>examples/{x.rulesetPath}</code> · {t(`gallery.${x.id}.note` as MessageKey)}</div>
                  {off && <div className="small">{t('data.exampleUnavailable')}</div>}
                </div>
                <button type="button" disabled={off || props.busy} onClick={() => props.onOpenExample(x)} data-testid={`open-${x.id}`}>
                  {t('data.openExample')}
                </button>
              </li>
            );
          })}
        </ul>
      </section>

      <section className="stack" aria-labelledby="upload-h">
        <h3 id="upload-h">{t('data.leadsFile')}</h3>
        <div
          className={dragging ? 'dropzone active' : 'dropzone'}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          role="button" tabIndex={0}
          onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); leadsInput.current?.click(); } }}
          onClick={() => leadsInput.current?.click()}
          data-testid="dropzone"
        >
          {dragging ? t('data.dropActive') : t('data.drop')}
          {leads && <div className="strong">{leads.name}{events ? ` + ${events.name}` : ''}</div>}
        </div>
        <div className="row">
          <label className="field"><span>{t('data.leadsFile')}</span>
            <input ref={leadsInput} type="file" accept=".csv,.jsonl,.json,.txt" data-testid="leads-file"
              onChange={(e) => void chooseLeads(e.target.files?.[0])} /></label>
          <label className="field"><span>{t('data.eventsFile')}</span>
            <input type="file" accept=".csv,.jsonl,.json,.txt" data-testid="events-file"
              onChange={(e) => setEvents(e.target.files?.[0])} /></label>
        </div>
        <div className="row">
          <label className="field"><span>{t('data.idColumn')}</span>
            <select value={idCol} onChange={(e) => setIdCol(e.target.value)} data-testid="id-column">
              <option value="@row">{t('data.rowNumbers')}</option>
              {columns.map((c) => <option key={c} value={c}>{c}</option>)}
            </select></label>
          <label className="field"><span>{t('data.outcomeColumn')}</span>
            <select value={outCol} onChange={(e) => setOutCol(e.target.value)} data-testid="outcome-column">
              {!columns.includes(outCol) && <option value={outCol}>{outCol}</option>}
              {columns.map((c) => <option key={c} value={c}>{c}</option>)}
            </select></label>
          <label className="field"><span>{t('data.missing')}</span>
            <input value={missing} onChange={(e) => setMissing(e.target.value)} placeholder="Select, unknown" /></label>
        </div>
        <label className="check"><input type="checkbox" checked={lenient} onChange={(e) => setLenient(e.target.checked)} data-testid="lenient" /> {t('data.lenient')}</label>
        <div><button type="button" className="primary" disabled={!leads || props.busy} onClick={() => void load()} data-testid="load-data">{t('data.load')}</button></div>
      </section>

      {p && props.busy && (
        <div className="progress" role="status" data-testid="load-progress">
          <label>{t('data.progress', { file: p.phase, pct: p.total ? Math.floor((100 * p.done) / p.total) : 0 })}
            <progress max={p.total || 1} value={p.done} /></label>
          {p.rows !== undefined && <ProgressDetail p={p} />}
        </div>
      )}
      {props.error && <p className="error" role="alert">{t('data.failed', { message: props.error })}</p>}
      {s?.ok && <p className="ok" role="status" data-testid="data-loaded">{t('data.loaded', { leads: s.leads, events: s.events, file: s.file })}</p>}
      {!s && !props.busy && <p className="muted">{t('data.none')}</p>}
      {s && s.diagnostics.length > 0 && (
        <table className="data-table" data-testid="data-errors">
          <caption>{t('data.errors')}</caption>
          <thead><tr>
            <th scope="col">{t('data.file')}</th><th scope="col" className="num">{t('data.line')}</th>
            <th scope="col" className="num">{t('data.column')}</th><th scope="col">{t('data.problem')}</th>
          </tr></thead>
          <tbody>
            {s.diagnostics.map((d, i) => (
              <tr key={i} className={d.severity}>
                <td>{d.file ?? s.file}</td><td className="num">{d.range.start.line}</td>
                <td className="num">{d.range.start.column}</td><td><code>{d.code}</code> {d.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ProgressDetail({ p }: { p: Progress }) {
  const { t } = useI18n();
  const pace = readingPace(p);
  return (
    <div className="small" data-testid="load-progress-detail">
      {t('data.progressRows', { rows: p.rows ?? 0 })}
      {pace && <> · {t('data.progressRate', { rate: pace.rate })} · {t('data.progressEta', { s: pace.eta })}</>}
      {p.parts !== undefined && p.parts > 1 && <> · {t('data.progressParts', { parts: p.parts })}</>}
    </div>
  );
}

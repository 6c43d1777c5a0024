/**
 * The playground: header (language, share, baseline, versions), the rules
 * editor with its problems list, and the results tabs.
 *
 * Input: a worker client, a store (autosave/versions), a language service,
 * the initial text, the example text and the dataset to start with.
 * Output: the whole page.
 * Invariants:
 * - every edit is checked (~100 ms after typing stops) and, with data
 *   loaded, re-run at once in the worker; a newer edit supersedes an older
 *   run, which the worker stops at its next chunk, and whose answer is
 *   dropped; the page thread never simulates; with a pinned baseline the
 *   run also lists the leads whose stage changed;
 * - after a run, the rule and score statistics for the editor's hover are
 *   computed in the background, and the threshold sweep when the Scores
 *   tab is shown; both give way to the next run;
 * - the last good report stays on screen while the rules have errors, with
 *   a note saying the results are from before the error;
 * - every visible string comes from the i18n layer.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { I18nProvider, LOCALES, type Locale, type MessageKey } from '../i18n/index.js';
import type { WorkerClient } from '../worker/client.js';
import type { Explanation, ExportFile, GenerateRequest } from '../worker/api.js';
import type { SimulateReport } from '../report/types.js';
import { mark, useBackground, useDataset, usePrefs, useRuleset, useRun } from './state.js';
import type { LanguageService } from '../editor/service.js';
import type { Store, SavedVersion, StorageLike } from '../share/storage.js';
import { markLinkOpened } from '../share/start.js';
import { encodeShareHash } from '../share/share.js';
import { helpUrl, ruleDiagnostics } from '../editor/convert.js';
import { Editor, type EditorHandle } from '../editor/Editor.js';
import { Tabs } from './Tabs.js';
import { Splitter } from './Splitter.js';
import { SummaryBar, KpiCards, Funnel } from '../report/Overview.js';
import { Heatmap } from '../report/Matrix.js';
import { RankingTable, ScoreViews } from '../report/Scores.js';
import { VolumeView } from '../report/Volume.js';
import { ActivityTable, RouteTable, BandTables } from '../report/Tables.js';
import { ComparePanel } from '../report/Compare.js';
import { ExplainPanel } from '../report/Explain.js';
import { TestsPanel } from '../report/Tests.js';
import { DataPanel } from '../data/DataPanel.js';
import { EXAMPLES, type ExampleDataset } from '../data/examples.js';
import type { TestMark } from '../editor/adapter.js';
import { ExportPanel, type ExportKind } from './ExportPanel.js';
import type { CollabSession } from '../collab/session.js';
import { CollabBar, useSharedData } from '../collab/CollabBar.js';
import { ReviewPanel } from '../collab/ReviewPanel.js';

type TabId = 'overview' | 'matrix' | 'scores' | 'volume' | 'activities' | 'routes' | 'compare' | 'explain' | 'tests' | 'data' | 'export' | 'review';
const TAB_IDS: TabId[] = ['data', 'overview', 'matrix', 'scores', 'volume', 'activities', 'routes', 'compare', 'explain', 'tests', 'export'];

export interface AppProps {
  client: WorkerClient;
  store: Store;
  service: LanguageService;
  initialText: string;
  /** the draft a share link replaced at start, kept as a saved version (shown with a Restore button) */
  keptDraft?: SavedVersion;
  /** the tab's session storage: a link made here with "Copy share link" is not re-applied on reload */
  session?: StorageLike;
  exampleText: string;
  initialLocale: Locale;
  /** where diagnostic help pages are (relative to the page) */
  helpBase?: string;
  /** the dataset generated in the worker at start (the ACME history), unless `startExample` says otherwise */
  initialData?: GenerateRequest;
  /** co-authoring on `lql serve` (opened from a capability link): shared text, data and review */
  collab?: CollabSession;
}

export function App(props: AppProps) {
  const { client, store } = props;
  const { i18n, locale, setLocale, capacity, setCapacity, pointsAtBase, setPointsAtBase, split, setSplit } = usePrefs(store, props.initialLocale);
  const { t, f } = i18n;
  const rules = useRuleset(store, props.initialText);
  const { text, setText, editorValue, restore, baselineText, versions } = rules;
  const [explanation, setExplanation] = useState<Explanation | undefined>();
  const onLoaded = useRef<() => void>(() => undefined);
  const dataset = useDataset(client, () => onLoaded.current());
  const { data, dataVersion, progress, loading, dataError, loadData, generateData } = dataset;
  const run = useRun(client, { baselineText, data, dataVersion });
  const { report, runState, reportText, changed, startRun } = run;
  const [tab, setTab] = useState<TabId>(props.collab ? 'review' : props.initialData ? 'overview' : 'data');
  const background = useBackground(client, { text, reportText, dataVersion, sweepShown: tab === 'scores' });
  const { diagnostics, tests, stats, sweep, setSweepStage } = background;
  onLoaded.current = () => {
    run.clear();
    background.clearStats();
    setExplanation(undefined);
  };
  const [explainId, setExplainId] = useState<string | undefined>();
  const [available, setAvailable] = useState<Record<string, boolean>>({});
  const [versionName, setVersionName] = useState('');
  const [notice, setNotice] = useState<string | undefined>();
  const [keptDraft, setKeptDraft] = useState<SavedVersion | undefined>(props.keptDraft);
  const editorHandle = useRef<EditorHandle | undefined>(undefined);
  // a notice shows as a toast for a few seconds
  useEffect(() => {
    if (!notice) return;
    const h = setTimeout(() => setNotice(undefined), 4000);
    return () => clearTimeout(h);
  }, [notice]);

  useEffect(() => { document.documentElement.lang = locale; document.title = t('app.title'); }, [locale, t]);
  // timing marks for the browser benchmark: request, answer, and the new report committed to the page
  useEffect(() => { if (report) mark('lql:report-commit'); }, [report]);

  const onEdit = useCallback((newText: string) => {
    setText(newText);
    startRun(newText);
  }, [startRun, setText]);
  useEffect(() => { startRun(text); }, [startRun, text, baselineText, data, dataVersion]);

  // datasets reachable from this server (the public ones are served in development only)
  useEffect(() => {
    let live = true;
    for (const ex of EXAMPLES) {
      if (ex.data.kind !== 'files') continue;
      const url = ex.data.leadsUrl;
      void fetch(url, { method: 'HEAD' }).then((r) => r.ok, () => false)
        .then((ok) => { if (live) setAvailable((a) => ({ ...a, [ex.id]: ok })); });
    }
    return () => { live = false; };
  }, []);

  useEffect(() => {
    if (props.initialData) void generateData(props.initialData);
    // only at start
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useSharedData(props.collab, loadData);

  const openExample = useCallback(async (ex: ExampleDataset) => {
    restore(ex.rulesetText);
    if (ex.data.kind === 'generate') {
      await generateData({ leads: ex.data.leads, seed: ex.data.seed, name: ex.name });
      return;
    }
    const src = ex.data;
    await dataset.busy({ phase: src.leadsUrl, done: 0, total: 0 }, async () => {
      const get = async (url: string) => {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return res.arrayBuffer();
      };
      const leads = await get(src.leadsUrl);
      const events = src.eventsUrl ? await get(src.eventsUrl) : undefined;
      await loadData({
        leads: { name: src.leadsUrl.split('/').pop()!, bytes: leads },
        events: events && src.eventsUrl ? { name: src.eventsUrl.split('/').pop()!, bytes: events } : undefined,
        id: ex.idColumn, outcome: ex.outcomeColumn, missing: ex.missing, join: src.join,
      });
      setTab('overview');
    });
  }, [loadData, generateData, restore, dataset.busy]);

  const onExport = useCallback((k: ExportKind): Promise<ExportFile> => {
    if (k.kind === 'scorer') return client.api.exportScorer(text, k.target, k.dialect);
    if (k.kind === 'csv') return client.api.exportScoredCsv(text);
    return client.api.exportReport(text, baselineText);
  }, [client, text, baselineText]);

  function explainLead(id: string, asOf?: string) {
    setExplainId(id);
    setTab('explain');
    void client.api.explain(text, id, asOf).then(setExplanation);
  }

  async function share() {
    const hash = encodeShareHash(text, location.hash);
    history.replaceState(null, '', hash);
    if (props.session) markLinkOpened(props.session, hash);
    try {
      await navigator.clipboard.writeText(location.href);
      setNotice(t('header.shareCopied'));
    } catch {
      setNotice(t('header.shareReady'));
    }
  }

  /** Back to the draft a link replaced; the link's rules (if edited or not) are kept as a version in turn. */
  function restoreKeptDraft(v: SavedVersion) {
    if (text !== v.text) rules.saveVersion(t('header.linkRules', { date: f.date(Date.now()) }));
    restore(v.text);
    setKeptDraft(undefined);
  }

  function pin() {
    const next = rules.togglePin();
    setNotice(next === undefined ? undefined : t('header.baselinePinned'));
  }

  function saveVersion() {
    const name = versionName.trim() || t('header.versionDefault', { index: versions.length + 1 });
    rules.saveVersion(name);
    setVersionName('');
  }

  const testMarks = useMemo<TestMark[]>(() => (tests?.tests ?? []).map((x) => ({
    line: x.line, passed: x.passed,
    label: x.passed ? t('tests.markPass') : t('tests.markFail', { n: x.failures.length }),
    failures: x.failures.map((fl) => ({ line: fl.line, column: fl.column, message: t('tests.failedExpect', { expect: fl.expect, details: fl.details.join('; ') }) })),
  })), [tests, t]);
  const serviceContext = useMemo(() => ({
    columns: data?.ok ? data.columns : undefined, locale,
    ruleStats: stats?.ruleStats, scoreStats: stats?.scoreStats,
  }), [data, locale, stats]);

  // the rules' diagnostics, and any fault of the worker (LQL531) in the same list
  const ruleDiags = [...run.internal, ...background.internal, ...ruleDiagnostics(diagnostics)];
  const errors = ruleDiags.filter((d) => d.severity === 'error').length;
  const warnings = ruleDiags.filter((d) => d.severity === 'warning').length;
  const statusText = (() => {
    switch (runState.kind) {
      case 'idle': return data?.ok ? '' : t('run.idle');
      case 'running': return t('run.running');
      case 'done': return t('run.done', { ms: f.int(runState.ms) });
      case 'invalid': return t('run.hasErrors');
      case 'failed': return t('run.failed', { message: runState.message });
    }
  })();

  const tabLabels: Record<TabId, MessageKey> = {
    overview: 'tabs.overview', matrix: 'tabs.matrix', scores: 'tabs.scores', volume: 'tabs.volume',
    activities: 'tabs.activities', routes: 'tabs.routes', compare: 'tabs.compare', explain: 'tabs.explain',
    tests: 'tabs.tests', data: 'tabs.data', export: 'tabs.export', review: 'tabs.review',
  };
  const tabs = (props.collab ? ['review' as const, ...TAB_IDS] : TAB_IDS).map((id) => ({
    id, label: t(tabLabels[id]),
    badge: id === 'tests' && tests?.available && tests.tests.length ? `${tests.passed}/${tests.tests.length}` : undefined,
  }));

  function panel() {
    const needReport = (render: (r: SimulateReport) => ReactElement) =>
      report ? render(report) : <p className="muted">{t('run.idle')}</p>;
    switch (tab) {
      case 'overview': return needReport((r) => <div className="stack"><SummaryBar report={r} /><KpiCards report={r} /><Funnel report={r} /></div>);
      case 'matrix': return needReport((r) => <Heatmap matrix={r.matrix} />);
      case 'scores': return needReport((r) => <><ScoreViews distributions={r.distributions} sweep={sweep ?? 'pending'} onStage={setSweepStage} /><RankingTable ranking={r.ranking} /></>);
      case 'volume': return needReport((r) => <VolumeView weekly={r.weekly} capacity={capacity} onCapacity={setCapacity} monthly={r.monthly} />);
      case 'activities': return needReport((r) => <ActivityTable activities={r.activities} pointsAtBase={pointsAtBase} onPointsAtBase={setPointsAtBase} />);
      case 'routes': return needReport((r) => <div className="stack"><RouteTable routes={r.routes} /><BandTables bands={r.bands} /></div>);
      case 'compare': return <ComparePanel report={report} baselineText={baselineText} text={text} changed={changed} onExplain={explainLead} />;
      case 'explain': return <ExplainPanel result={explanation} requestId={explainId} onExplain={explainLead} />;
      case 'tests': return <TestsPanel report={tests} onReveal={(l, c) => editorHandle.current?.reveal(l, c)} />;
      case 'data': return <DataPanel summary={data} progress={progress} error={dataError} busy={loading} available={available} onLoad={(r) => void loadData(r)} onCancel={dataset.cancelLoad} onOpenExample={(e) => void openExample(e)} />;
      case 'export': return <ExportPanel onExport={onExport} />;
      case 'review': return props.collab ? <ReviewPanel session={props.collab} cursorLine={() => props.collab!.cursorLine()} onReveal={(l) => editorHandle.current?.reveal(l, 1)} /> : null;
    }
  }

  return (
    <I18nProvider locale={locale}>
      <a className="skip-link" href="#results">{t('app.skipToResults')}</a>
      <header className="app-header">
        <div className="brand">
          <h1>{t('app.title')}</h1>
          <span className="subtitle">{t('app.subtitle')}</span>
        </div>
        <div className="header-actions">
          <button type="button" onClick={() => void share()} data-testid="share">{t('header.share')}</button>
          <button type="button" onClick={pin} aria-pressed={baselineText !== undefined} data-testid="pin">
            {baselineText === undefined ? t('header.pinBaseline') : t('header.unpinBaseline')}
          </button>
          <details className="versions">
            <summary>{t('header.versions')} ({versions.length})</summary>
            <div className="versions-menu">
              <div className="row">
                <label className="field inline"><span className="visually-hidden">{t('header.versionName')}</span>
                  <input value={versionName} placeholder={t('header.versionName')} onChange={(e) => setVersionName(e.target.value)}
                    onKeyDown={(e) => { if (e.key === 'Enter') saveVersion(); }} /></label>
                <button type="button" onClick={saveVersion}>{t('header.saveVersion')}</button>
              </div>
              {versions.length === 0 ? <p className="muted">{t('header.noVersions')}</p> : (
                <ul>
                  {versions.map((v) => (
                    <li key={v.id}>
                      <span>{v.name} <span className="small">{f.date(v.savedAt)}</span></span>
                      <button type="button" onClick={() => restore(v.text)}>{t('header.restore')}</button>
                      <button type="button" onClick={() => rules.deleteVersion(v.id)}>{t('header.delete')}</button>
                    </li>
                  ))}
                </ul>
              )}
              <button type="button" onClick={() => restore(props.exampleText)}>{t('header.resetExample')}</button>
            </div>
          </details>
          <label className="field inline lang">
            <span>{t('header.language')}</span>
            <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} data-testid="language">
              {LOCALES.map((l) => <option key={l.id} value={l.id} lang={l.id}>{l.name}</option>)}
            </select>
          </label>
        </div>
      </header>
      {props.collab && <CollabBar session={props.collab} />}
      {notice && <p className="toast" role="status" data-testid="toast">{notice}</p>}
      {keptDraft && (
        <p className="banner" role="status" data-testid="kept-draft">
          {t('header.keptDraft', { name: keptDraft.name })}{' '}
          <button type="button" onClick={() => restoreKeptDraft(keptDraft)}>{t('header.restoreDraft')}</button>{' '}
          <button type="button" onClick={() => setKeptDraft(undefined)}>{t('header.dismiss')}</button>
        </p>
      )}
      <main className="layout" style={{ ['--split' as string]: `${(split * 100).toFixed(1)}%` }}>
        <section className="editor-pane" aria-label={t('editor.label')}>
          <Editor value={editorValue.text} revision={editorValue.rev} onChange={onEdit} diagnostics={diagnostics} service={props.service}
            context={serviceContext} testMarks={testMarks} ariaLabel={t('editor.label')}
            onReady={(h) => { editorHandle.current = h; }} bind={props.collab?.bindEditor} />
          <div className="problems" data-testid="problems">
            <p className={errors ? 'strong fail' : 'strong'}>
              {errors || warnings ? t('editor.problems', { errors, warnings }) : t('editor.noProblems')}
              <span className="run-status" role="status" data-testid="run-status"
                data-current={runState.kind === 'done' && reportText?.text === text ? 'true' : 'false'}
                title={runState.kind === 'done' && runState.phases ? t(runState.phases.reused ? 'run.phasesReused' : 'run.phases', { compile: f.int(runState.phases.compile), replay: f.int(runState.phases.replay), report: f.int(runState.phases.report), full: f.int(runState.phases.fullLeads) }) : undefined}>{statusText}</span>
              <button type="button" className="format" onClick={() => editorHandle.current?.format()} data-testid="format">{t('editor.format')}</button>
            </p>
            {ruleDiags.length > 0 && (
              <ul>
                {ruleDiags.slice(0, 50).map((d, i) => (
                  <li key={i} className={d.severity}>
                    <button type="button" className="link" onClick={() => editorHandle.current?.reveal(d.range.start.line, d.range.start.column)}>
                      {d.range.start.line}:{d.range.start.column}
                    </button>{' '}
                    <a href={helpUrl(d.code, props.helpBase)} target="_blank" rel="noreferrer" title={t('editor.help', { code: d.code })}>{d.code}</a>{' '}
                    {d.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </section>
        <Splitter value={split} onChange={setSplit} label={t('layout.splitter')} />
        <section className="results-pane" id="results" aria-label={t('tabs.label')}>
          <Tabs label={t('tabs.label')} tabs={tabs} active={tab} onChange={setTab}>{panel()}</Tabs>
        </section>
      </main>
    </I18nProvider>
  );
}

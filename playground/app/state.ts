/**
 * The playground page's state, in named hooks: preferences, the ruleset
 * (text, baseline, saved versions), the dataset, the live run, and the work
 * done in the background after it (checks, tests, statistics, sweep).
 *
 * Input: the worker client, the store, the page's initial values. Output:
 * each hook's values and the functions that change them.
 * Invariants:
 * - every edit is checked (~100 ms after typing stops) and, with data
 *   loaded, re-run at once in the worker; a newer edit supersedes an older
 *   run, whose answer is dropped; with a pinned baseline the run also lists
 *   the leads whose stage changed;
 * - background answers for an older text or dataset are dropped;
 * - a worker fault is kept as a diagnostic (`internal`), never dropped.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Diagnostic } from '../../language/diagnostics/diagnostic.js';
import { makeI18n, type Locale } from '../i18n/index.js';
import type { WorkerClient } from '../worker/client.js';
import type { DataSummary, GenerateRequest, LoadRequest, Progress, RunPhases, RunStats, SweepResult, TestReport } from '../worker/api.js';
import type { ChangedLead, SimulateReport } from '../report/types.js';
import type { SavedVersion, Store } from '../share/storage.js';
import { clampSplit } from './Splitter.js';

/** How many leads whose stage changed against the baseline the Compare tab lists. */
const CHANGED_LIMIT = 200;

export type RunState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; ms: number; phases?: RunPhases }
  | { kind: 'invalid' }
  | { kind: 'failed'; message: string };

/** A timing mark for the browser benchmark (only the latest of each name is kept). */
export function mark(name: string): void {
  performance.clearMarks(name);
  performance.mark(name);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Language, capacity, points at the base rate and the editor's width, saved in the store. */
export function usePrefs(store: Store, initialLocale: Locale) {
  const prefs = useMemo(() => store.loadPrefs(), [store]);
  const [locale, setLocale] = useState<Locale>(prefs.locale ?? initialLocale);
  const [capacity, setCapacity] = useState(prefs.capacity ?? 0);
  const [pointsAtBase, setPointsAtBase] = useState(prefs.pointsAtBase ?? 10);
  const [split, setSplit] = useState(clampSplit(prefs.split ?? 0.45));
  const i18n = useMemo(() => makeI18n(locale), [locale]);
  useEffect(() => {
    store.savePrefs({ locale, capacity, pointsAtBase, split });
  }, [store, locale, capacity, pointsAtBase, split]);
  return { i18n, locale, setLocale, capacity, setCapacity, pointsAtBase, setPointsAtBase, split, setSplit };
}

/** The rules being edited (autosaved), the pinned baseline and the saved versions. */
export function useRuleset(store: Store, initialText: string) {
  const [text, setText] = useState(initialText);
  /** what the editor shows when the text is replaced from outside (a restore); `rev` makes it apply */
  const [editorValue, setEditorValue] = useState({ text: initialText, rev: 0 });
  const [baselineText, setBaselineText] = useState<string | undefined>(() => store.loadBaseline());
  const [versions, setVersions] = useState<SavedVersion[]>(() => store.listVersions());
  const savedText = useDebounced(text, 500);
  useEffect(() => {
    store.saveDraft(savedText);
  }, [store, savedText]);
  const restore = useCallback((newText: string) => {
    setEditorValue((v) => ({ text: newText, rev: v.rev + 1 }));
    setText(newText);
  }, []);
  /** pins the current text as the baseline, or unpins it; the new baseline */
  const togglePin = (): string | undefined => {
    const next = baselineText === undefined ? text : undefined;
    setBaselineText(next);
    store.saveBaseline(next);
    return next;
  };
  const saveVersion = (name: string, versionText = text) => {
    store.saveVersion(name, versionText);
    setVersions(store.listVersions());
  };
  const deleteVersion = (id: string) => {
    store.deleteVersion(id);
    setVersions(store.listVersions());
  };
  return { text, setText, editorValue, restore, baselineText, togglePin, versions, saveVersion, deleteVersion };
}

/** The dataset in the worker: loading, generating, progress and errors. */
export function useDataset(client: WorkerClient, onLoaded: () => void) {
  const [data, setData] = useState<DataSummary | undefined>();
  const [dataVersion, setDataVersion] = useState(0);
  const [progress, setProgress] = useState<Progress | undefined>();
  const [loading, setLoading] = useState(false);
  const [dataError, setDataError] = useState<string | undefined>();
  const loaded = useRef(onLoaded);
  loaded.current = onLoaded;

  const afterLoad = useCallback((s: DataSummary) => {
    // a load stopped for a newer one: what is on screen stays
    if (s.cancelled) return;
    setData(s);
    setDataVersion((v) => v + 1);
    loaded.current();
  }, []);

  /** runs a loading task with the busy flag and error set around it */
  const busy = useCallback(async (start: Progress, task: () => Promise<void>) => {
    setLoading(true);
    setDataError(undefined);
    setProgress(start);
    try {
      await task();
    } catch (e) {
      setDataError(message(e));
    } finally {
      setLoading(false);
    }
  }, []);

  const generateData = useCallback(
    (req: GenerateRequest) => busy({ phase: req.name, done: 0, total: req.leads }, async () => afterLoad(await client.api.generateData(req))),
    [client, afterLoad, busy],
  );
  const loadData = useCallback(
    (req: LoadRequest) =>
      busy({ phase: req.leads.name, done: 0, total: req.leads.bytes.byteLength }, async () => afterLoad(await client.loadData(req, (p) => setProgress(p)))),
    [client, afterLoad, busy],
  );
  const cancelLoad = useCallback(() => void client.api.cancelLoad(), [client]);
  return { data, dataVersion, progress, loading, dataError, busy, loadData, generateData, cancelLoad };
}

/** The live run of the rules over the dataset, and its report. */
export function useRun(client: WorkerClient, inputs: { baselineText: string | undefined; data: DataSummary | undefined; dataVersion: number }) {
  const [report, setReport] = useState<SimulateReport | undefined>();
  const [runState, setRunState] = useState<RunState>({ kind: 'idle' });
  /** the text of the report on screen, and a revision bumped with every new report */
  const [reportText, setReportText] = useState<{ text: string; rev: number } | undefined>();
  const [changed, setChanged] = useState<ChangedLead[]>([]);
  const [internal, setInternal] = useState<Diagnostic[]>([]);
  const requested = useRef<{ text: string; baselineText: string | undefined; dataVersion: number } | undefined>(undefined);
  const runInputs = useRef({ ok: false, baselineText: inputs.baselineText, dataVersion: inputs.dataVersion });
  runInputs.current = { ok: !!inputs.data?.ok, baselineText: inputs.baselineText, dataVersion: inputs.dataVersion };
  // live results: every edit is sent to the worker at once, from the editor's change handler
  // (before React renders it); the worker drops a superseded run at its next chunk, so there
  // is no debounce. Other changes (data, baseline, a restored text) start a run from an effect.
  const startRun = useCallback(
    (runText: string) => {
      const { ok, baselineText: base, dataVersion: version } = runInputs.current;
      if (!ok) return;
      const prev = requested.current;
      if (prev && prev.text === runText && prev.baselineText === base && prev.dataVersion === version) return;
      requested.current = { text: runText, baselineText: base, dataVersion: version };
      mark('lql:run-request');
      setRunState({ kind: 'running' });
      void client.run({ text: runText, baselineText: base, ...(base !== undefined ? { changedLimit: CHANGED_LIMIT } : {}) }).then(
        (r) => {
          if (!r || r.status === 'cancelled') return;
          mark('lql:run-result');
          setInternal(r.status === 'error' ? r.diagnostics.filter((d) => d.code === 'LQL531') : []);
          if (r.status === 'ok' && r.report) {
            setReport(r.report);
            setReportText((p) => ({ text: runText, rev: (p?.rev ?? 0) + 1 }));
            setRunState({ kind: 'done', ms: r.ms, ...(r.phases ? { phases: r.phases } : {}) });
            setChanged(r.changed ?? []);
          } else if (r.status === 'invalid') setRunState({ kind: 'invalid' });
          else if (r.status === 'no-data') setRunState({ kind: 'idle' });
          else setRunState({ kind: 'failed', message: r.message ?? r.status });
        },
        (e: unknown) => setRunState({ kind: 'failed', message: message(e) }),
      );
    },
    [client],
  );
  const clear = useCallback(() => {
    setReport(undefined);
    setReportText(undefined);
  }, []);
  useEffect(() => {
    if (inputs.baselineText === undefined || !inputs.data?.ok) setChanged([]);
  }, [inputs.baselineText, inputs.data]);
  return { report, runState, reportText, changed, internal, startRun, clear };
}

/**
 * What the worker computes besides the run: the rules' diagnostics, their
 * tests, the statistics of the last run for the editor's hover, and the
 * threshold sweep while the Scores tab is shown. Each gives way to runs.
 */
export function useBackground(
  client: WorkerClient,
  inputs: { text: string; reportText: { text: string; rev: number } | undefined; dataVersion: number; sweepShown: boolean },
) {
  const { text, reportText, dataVersion, sweepShown } = inputs;
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [tests, setTests] = useState<TestReport | undefined>();
  const [stats, setStats] = useState<RunStats | undefined>();
  const [sweep, setSweep] = useState<SweepResult | undefined>();
  const [sweepStage, setSweepStage] = useState<string | undefined>();
  /** worker faults of these tasks (LQL531), by task */
  const [faults, setFaults] = useState<Record<'tests' | 'stats' | 'sweep', Diagnostic[]>>({ tests: [], stats: [], sweep: [] });
  const fault = useCallback((task: 'tests' | 'stats' | 'sweep', ds: Diagnostic[] | undefined) => {
    setFaults((f) => (f[task].length === 0 && !ds?.length ? f : { ...f, [task]: ds ?? [] }));
  }, []);

  // live diagnostics: re-checked on every edit and on every data change (the columns
  // a ruleset is checked against come from the loaded dataset)
  const checkText = useDebounced(text, 100);
  useEffect(() => {
    let live = true;
    void client.check(checkText).then((d) => {
      if (live && d) setDiagnostics(d);
    });
    return () => {
      live = false;
    };
  }, [client, checkText, dataVersion]);

  const testText = useDebounced(text, 300);
  useEffect(() => {
    let live = true;
    void client.api.runTests(testText).then((r) => {
      if (!live) return;
      setTests(r);
      fault('tests', r.diagnostics);
    });
    return () => {
      live = false;
    };
  }, [client, testText, fault]);

  // rule and score statistics of the last run (for hover)
  const statsFor = useDebounced(reportText, 400);
  useEffect(() => {
    if (statsFor === undefined) return;
    let live = true;
    void client.api.runStats(statsFor.text).then((s) => {
      if (!live) return;
      fault('stats', s.diagnostics);
      if (s.ruleStats.length || s.scoreStats.length) setStats(s);
    });
    return () => {
      live = false;
    };
  }, [client, statsFor, dataVersion, fault]);

  const sweepFor = useDebounced(reportText, 300);
  useEffect(() => {
    if (!sweepShown || sweepFor === undefined) return;
    let live = true;
    setSweep(undefined);
    void client.api.sweep(sweepFor.text, sweepStage).then((s) => {
      if (!live || s.status === 'cancelled') return;
      fault('sweep', s.diagnostics);
      setSweep(s);
    });
    return () => {
      live = false;
    };
  }, [client, sweepShown, sweepFor, sweepStage, dataVersion, fault]);

  const internal = useMemo(() => [...faults.tests, ...faults.stats, ...faults.sweep], [faults]);
  const clearStats = useCallback(() => setStats(undefined), []);
  return { diagnostics, tests, stats, clearStats, sweep, sweepStage, setSweepStage, internal };
}

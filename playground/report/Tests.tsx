/**
 * The `test` blocks of the ruleset, run in the worker on every edit:
 * pass/fail per test, and for a failure each failed expectation with the
 * actual values that made it fail. The same results are drawn in the
 * editor at each `test` line.
 *
 * Input: a `TestReport`, and a callback to jump to a line. Output: a
 * summary line and a list.
 * Invariants: pass/fail is said in words as well as colour; rules with
 * errors say that tests did not run.
 */
import { useI18n } from '../i18n/index.js';
import type { TestReport } from '../worker/api.js';

export function TestsPanel({ report, onReveal }: { report?: TestReport; onReveal?: (line: number, column: number) => void }) {
  const { t } = useI18n();
  if (!report) return null;
  if (!report.available) return <p className="muted">{t('tests.unavailable')}</p>;
  if (report.invalid) return <p className="warning" role="status">{t('tests.invalid')}</p>;
  if (!report.tests.length) return <p className="muted">{t('tests.none')}</p>;
  return (
    <div className="stack" data-testid="tests">
      <p className={report.failed ? 'strong fail' : 'strong pass'} role="status">{t('tests.summary', { passed: report.passed, failed: report.failed })}</p>
      <ul className="tests">
        {report.tests.map((x) => (
          <li key={x.name + x.line} className={x.passed ? 'pass' : 'fail'}>
            <span className="badge">{x.passed ? '✔ ' + t('tests.pass') : '✘ ' + t('tests.fail')}</span>{' '}
            {onReveal ? <button type="button" className="link" onClick={() => onReveal(x.line, 1)}>{t('tests.line', { line: x.line })}</button> : null} {x.name}
            {x.failures.map((fl, i) => (
              <div key={i} className="failure">
                <div>{t('tests.expected')}: <code>{fl.expect}</code> <span className="small">({t('tests.line', { line: fl.line })})</span></div>
                {fl.details.map((d, j) => <div key={j}>{t('tests.actual')}: <code>{d}</code></div>)}
              </div>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

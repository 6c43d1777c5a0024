/**
 * The fit × interest heatmap: leads and close rate for each pair of band
 * labels (e.g. grade A-D × temperature hot/warm/cold).
 *
 * Input: the report's optional `matrix` section. Output: an accessible
 * table (a real <table>, so screen readers and keyboards can walk it) whose
 * cell colour encodes the close rate.
 * Invariants: the colour scale runs from white (0%) to the darkest blue at
 * the highest close rate in the table; the text of each cell is white or
 * near-black, whichever contrasts more with its background (WCAG ratio).
 */
import { memo } from 'react';
import { useI18n } from '../i18n/index.js';
import type { BandMatrix } from './types.js';

export function cellColor(rate: number, maxRate: number): { background: string; color: string } {
  if (!Number.isFinite(rate) || maxRate <= 0) return { background: '#f4f4f4', color: '#1f1f1f' };
  const k = Math.max(0, Math.min(1, rate / maxRate));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * k);
  const rgb = [mix(255, 18), mix(255, 66), mix(255, 140)] as const;
  const bg = luminance(rgb);
  const dark = luminance([31, 31, 31]);
  const onWhite = (1 + 0.05) / (bg + 0.05);
  const onDark = (bg + 0.05) / (dark + 0.05);
  return { background: `rgb(${rgb.join(', ')})`, color: onWhite >= onDark ? '#ffffff' : '#1f1f1f' };
}

/** WCAG relative luminance of an sRGB colour. */
function luminance(rgb: readonly [number, number, number]): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function HeatmapView({ matrix }: { matrix?: BandMatrix }) {
  const { t, f } = useI18n();
  if (!matrix) return <p className="muted">{t('matrix.none')}</p>;
  const maxRate = Math.max(0, ...matrix.cells.map((c) => (Number.isFinite(c.closeRate) ? c.closeRate : 0)));
  const cell = (r: string, c: string) => matrix.cells.find((x) => x.row === r && x.col === c);
  return (
    <figure className="heatmap">
      <figcaption>{t('matrix.title')}</figcaption>
      <table>
        <thead>
          <tr>
            <th scope="col" className="corner">{t('matrix.rows', { band: matrix.rowBand })} ↓ / {t('matrix.cols', { band: matrix.colBand })} →</th>
            {matrix.cols.map((c) => <th key={c} scope="col">{c}</th>)}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.map((r) => (
            <tr key={r}>
              <th scope="row">{r}</th>
              {matrix.cols.map((c) => {
                const x = cell(r, c);
                const style = cellColor(x?.closeRate ?? NaN, maxRate);
                const label = t('matrix.cell', { row: r, col: c, leads: x?.leads ?? 0, rate: f.pct(x?.closeRate ?? NaN) });
                return (
                  <td key={c} style={style} title={label} aria-label={label}>
                    <span className="cell-leads">{f.int(x?.leads ?? 0)}</span>
                    <span className="cell-rate">{f.pct(x?.closeRate ?? NaN)}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('matrix.legend')}</p>
    </figure>
  );
}

/** Memoized: the page re-renders on every keystroke, the views only when their data changes. */
export const Heatmap = memo(HeatmapView);

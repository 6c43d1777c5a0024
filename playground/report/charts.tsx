/**
 * Small hand-written SVG charts for the results views: stacked vertical
 * bars, horizontal bars and lines, each with labelled axes and a legend.
 *
 * Input: categories or x values, series of numbers, axis titles and value
 * formatters (from the i18n layer). Output: an accessible <figure> with an
 * <svg role="img"> and a caption.
 * Invariants: axes always start at 0 for counts; every chart has both axis
 * titles (with their unit); the legend draws each series exactly as the
 * chart does (a dashed line for a reference line, the bar's own fill);
 * hovering a bar or point shows its values; bars over a reference line
 * (capacity) are hatched and listed in the legend, not told by colour
 * alone; the SVG scales with its container.
 */
import { useState, type ReactNode } from 'react';
import { niceTicks } from './compute.js';
import { useI18n } from '../i18n/index.js';

export const SERIES_COLORS = {
  won: '#1b7f3b', lost: '#b3261e', open: '#7a7f87', a: '#1f5fbf', b: '#c25e00', c: '#6b3fa0',
  /** the light fill of a total behind a part (funnel) */
  aLight: '#b7cbec',
  /** reference lines (capacity, the current threshold) */
  ref: '#8a3b00',
};

const W = 720;
const H = 340;
const M = { l: 92, r: 44, t: 20, b: 80 };

export interface Series { name: string; color: string; values: number[] }

type LegendItem = { name: string; color: string; kind?: 'fill' | 'line' | 'dashed' | 'hatched' };

/** The hatch pattern for bars over a reference line. */
function HatchDef({ id, color }: { id: string; color: string }) {
  return (
    <pattern id={id} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" fill={color} />
      <line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" strokeWidth="2.5" />
    </pattern>
  );
}

function Legend({ series }: { series: LegendItem[] }) {
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.name}>
          <svg className="swatch" viewBox="0 0 16 16" aria-hidden="true">
            {s.kind === 'dashed' || s.kind === 'line' ? (
              <line x1="0" x2="16" y1="8" y2="8" stroke={s.color} strokeWidth="3" strokeDasharray={s.kind === 'dashed' ? '5 3' : undefined} />
            ) : s.kind === 'hatched' ? (
              <><defs><HatchDef id={`legend-hatch-${s.color.slice(1)}`} color={s.color} /></defs>
                <rect width="16" height="16" rx="2" fill={`url(#legend-hatch-${s.color.slice(1)})`} /></>
            ) : (
              <rect width="16" height="16" rx="2" fill={s.color} />
            )}
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  );
}

/** A hover label inside a chart: a box with lines of text near (x, y), kept inside the plot. */
function HoverLabel({ x, y, lines }: { x: number; y: number; lines: string[] }) {
  const w = Math.max(...lines.map((l) => l.length)) * 8.4 + 16;
  const h = lines.length * 19 + 10;
  const bx = Math.min(Math.max(M.l, x - w / 2), W - M.r - w);
  const by = Math.max(2, y - h - 8);
  return (
    <g className="hover-label" pointerEvents="none" data-testid="chart-hover">
      <rect x={bx} y={by} width={w} height={h} rx={4} />
      {lines.map((l, i) => <text key={i} x={bx + 8} y={by + 19 * (i + 1)}>{l}</text>)}
    </g>
  );
}

export function ChartFrame({ title, children, legend }: { title: string; children: ReactNode; legend?: ReactNode }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {children}
      {legend}
    </figure>
  );
}

function YAxis({ ticks, y, format, title }: { ticks: number[]; y: (v: number) => number; format: (v: number) => string; title: string }) {
  return (
    <g className="axis axis-y">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={M.l} x2={W - M.r} y1={y(t)} y2={y(t)} className="grid" />
          <text x={M.l - 8} y={y(t)} dy="0.35em" textAnchor="end">{format(t)}</text>
        </g>
      ))}
      <text className="axis-title" transform={`translate(18 ${(M.t + H - M.b) / 2}) rotate(-90)`} textAnchor="middle">{title}</text>
    </g>
  );
}

/** Stacked vertical bars, one per category. */
export function StackedBars(props: {
  title: string; categories: string[]; series: Series[]; xTitle: string; yTitle: string;
  format?: (v: number) => string;
  /** a horizontal reference line (capacity); bars above it are hatched and named in the legend */
  refLine?: { value: number; label: string; overLabel?: string };
}) {
  const { t, f } = useI18n();
  const [hover, setHover] = useState<number | undefined>();
  const { categories, series } = props;
  const fmt = props.format ?? f.int;
  if (!categories.length) return <ChartFrame title={props.title}><p className="muted">{t('chart.noData')}</p></ChartFrame>;
  const totals = categories.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const ref = props.refLine;
  const max = Math.max(...totals, ref?.value ?? 0, 1);
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1]!;
  // rotated tick labels need room below the axis: the axis title goes under the longest one
  const rotated = categories.length > 8;
  const longest = Math.max(...categories.map((c) => c.length));
  const labelDepth = rotated ? Math.ceil(longest * 8.2 * Math.sin(Math.PI * 35 / 180)) + 26 : 26;
  const bottom = labelDepth + 30;
  const plotH = H - M.t - M.b;
  const height = M.t + plotH + bottom;
  const base = M.t + plotH;
  const y = (v: number) => base - (v / top) * plotH;
  const band = (W - M.l - M.r) / categories.length;
  const bw = Math.max(2, band * 0.75);
  const every = Math.ceil(categories.length / 12);
  const over = (i: number) => ref !== undefined && ref.value > 0 && totals[i]! > ref.value;
  const anyOver = categories.some((_, i) => over(i));
  const hatchId = 'hatch-over';
  const legend: LegendItem[] = [
    ...series,
    ...(ref ? [{ name: ref.label, color: SERIES_COLORS.ref, kind: 'dashed' as const }] : []),
    ...(ref && anyOver && ref.overLabel ? [{ name: ref.overLabel, color: SERIES_COLORS.b, kind: 'hatched' as const }] : []),
  ];
  return (
    <ChartFrame title={props.title} legend={<Legend series={legend} />}>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={props.title} onMouseLeave={() => setHover(undefined)}
        onMouseMove={(e) => {
          // the column under the pointer, in the chart's own coordinates
          const box = e.currentTarget.getBoundingClientRect();
          const vx = ((e.clientX - box.left) / box.width) * W;
          const i = Math.floor((vx - M.l) / band);
          setHover(i >= 0 && i < categories.length ? i : undefined);
        }}>
        <defs><HatchDef id={hatchId} color={SERIES_COLORS.b} /></defs>
        <YAxis ticks={ticks} y={y} format={fmt} title={props.yTitle} />
        {categories.map((c, i) => {
          let acc = 0;
          const x = M.l + i * band + (band - bw) / 2;
          const isOver = over(i);
          return (
            <g key={c + i} className={hover === i ? 'bar hovered' : 'bar'} data-over={isOver ? 'true' : undefined}>
              <title>{`${c}: ${series.map((s) => `${s.name} ${fmt(s.values[i] ?? 0)}`).join(', ')}`}</title>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                const y0 = y(acc);
                acc += v;
                return <rect key={s.name} x={x} width={bw} y={y(acc)} height={Math.max(0, y0 - y(acc))} fill={isOver ? `url(#${hatchId})` : s.color} />;
              })}
              {i % every === 0 && (
                <text className="tick-x" x={x + bw / 2} y={base + 18} textAnchor={rotated ? 'end' : 'middle'}
                  transform={rotated ? `rotate(-35 ${x + bw / 2} ${base + 18})` : undefined}>{c}</text>
              )}
            </g>
          );
        })}
        {ref && (
          <line className="ref-line" x1={M.l} x2={W - M.r} y1={y(ref.value)} y2={y(ref.value)} />
        )}
        <line x1={M.l} x2={W - M.r} y1={base} y2={base} className="axis-line" />
        <text className="axis-title" x={(M.l + W - M.r) / 2} y={height - 8} textAnchor="middle">{props.xTitle}</text>
        {hover !== undefined && hover < categories.length && (
          <HoverLabel x={M.l + hover * band + band / 2} y={y(totals[hover]!)}
            lines={[categories[hover]!, ...series.map((s) => `${s.name}: ${fmt(s.values[hover] ?? 0)}`),
              ...(over(hover) && ref?.overLabel ? [ref.overLabel] : [])]} />
        )}
      </svg>
    </ChartFrame>
  );
}

/** Lines over a numeric x axis; y is a rate in [0, 1]. */
export function RateLines(props: {
  title: string; xs: number[]; series: Series[]; xTitle: string; yTitle: string;
  /** a vertical dashed line at x (e.g. the current threshold), labelled */
  marker?: { x: number; label: string };
}) {
  const { t, f } = useI18n();
  const { xs, series } = props;
  if (xs.length < 1) return <ChartFrame title={props.title}><p className="muted">{t('chart.noData')}</p></ChartFrame>;
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs, minX + 1);
  const xTicks = niceTicks(maxX, 6, minX);
  const x0 = xTicks[0]!;
  const x1 = xTicks[xTicks.length - 1]!;
  const x = (v: number) => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r);
  const y = (v: number) => H - M.b - v * (H - M.t - M.b);
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  const mk = props.marker;
  return (
    <ChartFrame title={props.title} legend={<Legend series={[...series.map((s) => ({ ...s, kind: 'line' as const })), ...(mk ? [{ name: mk.label, color: SERIES_COLORS.ref, kind: 'dashed' as const }] : [])]} />}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        <YAxis ticks={yTicks} y={y} format={(v) => f.pct(v).replace(/[.,]0\s?%/, '%')} title={props.yTitle} />
        {xTicks.map((v) => (
          <text key={v} className="tick-x" x={x(v)} y={H - M.b + 20} textAnchor="middle">{f.num(v)}</text>
        ))}
        {series.map((s) => {
          const pts = xs.map((xv, i) => [xv, s.values[i]] as const).filter(([, v]) => Number.isFinite(v));
          return (
            <g key={s.name}>
              <polyline fill="none" stroke={s.color} strokeWidth={3} points={pts.map(([a, b]) => `${x(a)},${y(b!)}`).join(' ')} />
              {pts.map(([a, b]) => <circle key={a} cx={x(a)} cy={y(b!)} r={3.5} fill={s.color}><title>{`${s.name} ≥ ${f.num(a)}: ${f.pct(b!)}`}</title></circle>)}
            </g>
          );
        })}
        {mk && Number.isFinite(mk.x) && (
          <g data-testid="sweep-current">
            <line className="ref-line" x1={x(mk.x)} x2={x(mk.x)} y1={M.t} y2={H - M.b} />
            <text className="bar-label" x={x(mk.x) + 6} y={M.t + 14}>{mk.label}</text>
          </g>
        )}
        <line x1={M.l} x2={W - M.r} y1={H - M.b} y2={H - M.b} className="axis-line" />
        <text className="axis-title" x={(M.l + W - M.r) / 2} y={H - 14} textAnchor="middle">{props.xTitle}</text>
      </svg>
    </ChartFrame>
  );
}

/** Horizontal bars (a funnel): one row per category, an inner bar for a part. */
export function FunnelBars(props: {
  title: string; rows: { label: string; total: number; part: number; title: string }[];
  xTitle: string; yTitle: string; totalName: string; partName: string;
}) {
  const { t, f } = useI18n();
  const { rows } = props;
  if (!rows.length) return <ChartFrame title={props.title}><p className="muted">{t('chart.noData')}</p></ChartFrame>;
  const rowH = 54;
  const h = M.t + rows.length * rowH + 70;
  const left = 130;
  const max = Math.max(...rows.map((r) => r.total), 1);
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1]!;
  const x = (v: number) => left + (v / top) * (W - left - M.r);
  return (
    <ChartFrame title={props.title} legend={<Legend series={[{ name: props.totalName, color: SERIES_COLORS.aLight }, { name: props.partName, color: SERIES_COLORS.won }]} />}>
      <svg viewBox={`0 0 ${W} ${h}`} role="img" aria-label={props.title}>
        {ticks.map((tv) => (
          <g key={tv} className="axis">
            <line className="grid" x1={x(tv)} x2={x(tv)} y1={M.t} y2={M.t + rows.length * rowH} />
            <text x={x(tv)} y={M.t + rows.length * rowH + 20} textAnchor="middle">{f.int(tv)}</text>
          </g>
        ))}
        {rows.map((r, i) => {
          const yy = M.t + i * rowH + 8;
          return (
            <g key={r.label}>
              <title>{r.title}</title>
              <text className="axis" x={left - 10} y={yy + 19} textAnchor="end">{r.label}</text>
              <rect x={left} y={yy} width={Math.max(0, x(r.total) - left)} height={38} fill={SERIES_COLORS.aLight} />
              <rect x={left} y={yy + 8} width={Math.max(0, x(r.part) - left)} height={22} fill={SERIES_COLORS.won} />
              <text className="bar-label" x={Math.min(x(r.total) + 6, W - M.r - 4)} y={yy + 25} textAnchor={x(r.total) + 90 > W ? 'end' : 'start'}>{f.int(r.total)}</text>
            </g>
          );
        })}
        <text className="axis-title" x={(left + W - M.r) / 2} y={h - 8} textAnchor="middle">{props.xTitle}</text>
        <text className="axis-title" transform={`translate(18 ${M.t + (rows.length * rowH) / 2}) rotate(-90)`} textAnchor="middle">{props.yTitle}</text>
      </svg>
    </ChartFrame>
  );
}

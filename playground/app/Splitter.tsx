/**
 * A draggable divider between the editor and the results (the WAI-ARIA
 * window-splitter pattern).
 *
 * Input: the current share of the width given to the editor (0..1) and a
 * setter. Output: a focusable `role="separator"`; dragging it or pressing
 * Left/Right (5% a step), Home/End moves it.
 * Invariants: the share stays within [0.2, 0.8], so neither pane vanishes;
 * the value is announced as a percentage.
 */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

export const SPLIT_MIN = 0.2;
export const SPLIT_MAX = 0.8;

export function clampSplit(x: number): number {
  return Number.isFinite(x) ? Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, x)) : 0.5;
}

export function Splitter(props: { value: number; onChange: (v: number) => void; label: string }) {
  const dragging = useRef(false);
  function move(e: PointerEvent<HTMLDivElement>) {
    if (!dragging.current) return;
    const parent = e.currentTarget.parentElement;
    if (!parent) return;
    const box = parent.getBoundingClientRect();
    props.onChange(clampSplit((e.clientX - box.left) / box.width));
  }
  function key(e: KeyboardEvent<HTMLDivElement>) {
    const step = e.key === 'ArrowLeft' ? -0.05 : e.key === 'ArrowRight' ? 0.05 : 0;
    if (step) props.onChange(clampSplit(props.value + step));
    else if (e.key === 'Home') props.onChange(SPLIT_MIN);
    else if (e.key === 'End') props.onChange(SPLIT_MAX);
    else return;
    e.preventDefault();
  }
  return (
    <div role="separator" aria-orientation="vertical" aria-label={props.label} tabIndex={0} className="splitter"
      aria-valuemin={SPLIT_MIN * 100} aria-valuemax={SPLIT_MAX * 100} aria-valuenow={Math.round(props.value * 100)}
      data-testid="splitter"
      onPointerDown={(e) => { dragging.current = true; e.currentTarget.setPointerCapture(e.pointerId); }}
      onPointerMove={move}
      onPointerUp={(e) => { dragging.current = false; e.currentTarget.releasePointerCapture(e.pointerId); }}
      onKeyDown={key} />
  );
}

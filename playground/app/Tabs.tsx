/**
 * Accessible tabs (WAI-ARIA tab pattern), drawn as a side navigation:
 * arrow keys, Home and End move between tabs; the active panel follows
 * focus.
 *
 * Input: tab ids with labels, the active id and a setter, and the active
 * panel's content. Output: a tablist and one tabpanel.
 * Invariants: exactly one tab is in the tab order (roving tabindex); each
 * panel is labelled by its tab.
 */
import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export function Tabs<T extends string>(props: {
  label: string; tabs: { id: T; label: string; badge?: string }[]; active: T; onChange: (id: T) => void; children: ReactNode;
}) {
  const refs = useRef(new Map<T, HTMLButtonElement>());
  function onKey(e: KeyboardEvent) {
    const ids = props.tabs.map((t) => t.id);
    // from the focused tab (focus can be on a tab that is not the active one)
    const focused = ids.find((id) => refs.current.get(id) === document.activeElement);
    const i = ids.indexOf(focused ?? props.active);
    let next: number | undefined;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (i + 1) % ids.length;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (i - 1 + ids.length) % ids.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = ids.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    props.onChange(ids[next]!);
    refs.current.get(ids[next]!)?.focus();
  }
  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} aria-orientation="vertical" className="tablist" onKeyDown={onKey}>
        {props.tabs.map((t) => (
          <button key={t.id} role="tab" type="button" id={`tab-${t.id}`} aria-controls={`panel-${t.id}`}
            aria-selected={t.id === props.active} tabIndex={t.id === props.active ? 0 : -1}
            ref={(el) => { if (el) refs.current.set(t.id, el); else refs.current.delete(t.id); }}
            onClick={() => props.onChange(t.id)}>
            {t.label}{t.badge && <span className="tab-badge">{t.badge}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${props.active}`} aria-labelledby={`tab-${props.active}`} className="tabpanel" tabIndex={0}>
        {props.children}
      </div>
    </div>
  );
}

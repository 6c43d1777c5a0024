/**
 * Autosave and named versions, kept in the browser's localStorage.
 *
 * Input: a Storage-like object (localStorage in the page, a Map-backed
 * stand-in in tests). Output: a store with the draft, the saved versions,
 * the pinned baseline and UI preferences.
 * Invariants: nothing here throws (a full or blocked storage only loses
 * the save); versions are newest first and each has a unique id; data is
 * versioned under one key prefix so a future format can migrate it.
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SavedVersion { id: string; name: string; text: string; savedAt: number }
export interface Prefs { locale?: 'en' | 'es'; capacity?: number; pointsAtBase?: number; /** the editor's share of the width, 0..1 */ split?: number }

const P = 'lql.playground.v1.';

function read<T>(s: StorageLike, key: string, fallback: T): T {
  try {
    const raw = s.getItem(P + key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}
function write(s: StorageLike, key: string, value: unknown): void {
  try {
    if (value === undefined) s.removeItem(P + key);
    else s.setItem(P + key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the draft is simply not kept */
  }
}

export function createStore(s: StorageLike) {
  return {
    loadDraft: (): string | undefined => read<string | undefined>(s, 'draft', undefined),
    saveDraft: (text: string) => write(s, 'draft', text),
    loadBaseline: (): string | undefined => read<string | undefined>(s, 'baseline', undefined),
    saveBaseline: (text: string | undefined) => write(s, 'baseline', text),
    listVersions: (): SavedVersion[] => read<SavedVersion[]>(s, 'versions', []),
    saveVersion(name: string, text: string, now = Date.now()): SavedVersion {
      const list = read<SavedVersion[]>(s, 'versions', []);
      let id = now.toString(36);
      while (list.some((v) => v.id === id)) id += '_';
      const v = { id, name, text, savedAt: now };
      write(s, 'versions', [v, ...list]);
      return v;
    },
    deleteVersion(id: string) {
      write(s, 'versions', read<SavedVersion[]>(s, 'versions', []).filter((v) => v.id !== id));
    },
    loadPrefs: (): Prefs => read<Prefs>(s, 'prefs', {}),
    savePrefs: (p: Prefs) => write(s, 'prefs', p),
  };
}
export type Store = ReturnType<typeof createStore>;

/** A storage that forgets everything (when localStorage is unavailable). */
export function memoryStorage(): StorageLike {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

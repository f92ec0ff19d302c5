import type { NativeTheme } from 'electron';
import type { Theme } from '../../shared/ipc';

/** The OS colour scheme as the renderer applies it. */
export function currentTheme(nativeTheme: Pick<NativeTheme, 'shouldUseDarkColors'>): Theme {
  return nativeTheme.shouldUseDarkColors ? 'dark' : 'light';
}

/** Calls `onChange` whenever the OS switches between light and dark. */
export function watchTheme(nativeTheme: NativeTheme, onChange: (theme: Theme) => void): () => void {
  let last = currentTheme(nativeTheme);
  const listener = (): void => {
    const next = currentTheme(nativeTheme);
    if (next !== last) {
      last = next;
      onChange(next);
    }
  };
  nativeTheme.on('updated', listener);
  return () => nativeTheme.off('updated', listener);
}

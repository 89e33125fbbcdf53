/** Light/dark theme: follows the system until the user picks one, then remembers the choice. */
import { createSignal } from 'solid-js';

export type Theme = 'light' | 'dark';
const KEY = 'pulse_theme';

function initial(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const [theme, setThemeSignal] = createSignal<Theme>(initial());

function apply(t: Theme): void {
  document.documentElement.classList.toggle('dark', t === 'dark');
  document.documentElement.style.colorScheme = t;
}
apply(theme());

export function setTheme(t: Theme): void {
  localStorage.setItem(KEY, t);
  setThemeSignal(t);
  apply(t);
}

/** A theme saved in the server's settings applies unless this browser has its own choice. */
export function applyServerTheme(t: unknown): void {
  if (localStorage.getItem(KEY)) return;
  if (t === 'light' || t === 'dark') {
    setThemeSignal(t);
    apply(t);
  }
}

export const toggleTheme = () => setTheme(theme() === 'dark' ? 'light' : 'dark');
export { theme };

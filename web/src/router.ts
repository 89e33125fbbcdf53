/** A small history-API router: one signal holding the path; links push state, back/forward pop it. */
import { createSignal } from 'solid-js';

const [path, setPath] = createSignal(location.pathname);

window.addEventListener('popstate', () => setPath(location.pathname));

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  setPath(new URL(to, location.origin).pathname);
  window.scrollTo(0, 0);
}

/** Click handler for <a href> elements: same-tab navigation without a page load. */
export function linkClick(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href') ?? '/');
}

export const currentPath = path;

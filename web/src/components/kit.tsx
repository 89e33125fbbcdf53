/**
 * Building blocks for pages that run actions: a progress indicator, an in-page confirmation
 * dialog for destructive steps, a copyable command box, and a tracker for one running action.
 */
import { createSignal, createUniqueId, type JSX, onCleanup, onMount, Show } from 'solid-js';
import { Button } from './ui';

/** An indeterminate progress indicator with its words, announced politely to screen readers. */
export function Progress(props: { label: string }) {
  return (
    <div role="status" aria-live="polite" class="flex items-center gap-2 text-sm text-slate-600 dark:text-slate-300">
      <span
        aria-hidden="true"
        class="inline-block h-4 w-4 animate-spin rounded-full border-2 border-sky-500 border-t-transparent"
      />
      <span>{props.label}</span>
    </div>
  );
}

/** Runs one async action at a time and keeps its busy flag and error words. */
export function createAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const run = async (...args: A): Promise<R | undefined> => {
    if (busy()) return undefined;
    setBusy(true);
    setError('');
    try {
      return await fn(...args);
    } catch (err) {
      setError((err as Error).message);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/**
 * A modal confirmation in place of the browser's `confirm()`: the question, what it will do, and
 * two buttons. Like `confirm()` it opens on the confirming button, so Enter confirms and Escape
 * cancels; Tab stays inside the dialog, and focus goes back where it was when it closes.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children?: JSX.Element;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = createUniqueId();
  return (
    <Show when={props.open}>
      <DialogBody id={id} {...props} />
    </Show>
  );
}

interface ConfirmRequest {
  title: string;
  body?: string;
  confirmLabel: string;
  danger?: boolean;
}

/**
 * `confirm()` as a promise answered through ConfirmDialog: `if (!(await ask({...}))) return;`.
 * Render `<Dialog />` once in the page that asks.
 */
export function createConfirm() {
  const [pending, setPending] = createSignal<(ConfirmRequest & { answer: (ok: boolean) => void }) | undefined>();
  const ask = (req: ConfirmRequest) =>
    new Promise<boolean>((resolve) => {
      pending()?.answer(false);
      setPending({ ...req, answer: resolve });
    });
  const answer = (ok: boolean) => {
    const p = pending();
    setPending(undefined);
    p?.answer(ok);
  };
  const Dialog = () => (
    <ConfirmDialog
      open={pending() !== undefined}
      title={pending()?.title ?? ''}
      confirmLabel={pending()?.confirmLabel ?? 'OK'}
      danger={pending()?.danger}
      onConfirm={() => answer(true)}
      onCancel={() => answer(false)}
    >
      <Show when={pending()?.body}>
        <p>{pending()?.body}</p>
      </Show>
    </ConfirmDialog>
  );
  return { ask, Dialog };
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function DialogBody(props: {
  id: string;
  title: string;
  children?: JSX.Element;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  let box: HTMLDivElement | undefined;
  let confirmButton: HTMLButtonElement | undefined;
  const opener = document.activeElement as HTMLElement | null;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onCancel();
      return;
    }
    if (e.key === 'Tab' && box) {
      // Keep Tab and Shift+Tab cycling through the dialog's own controls.
      const items = Array.from(box.querySelectorAll<HTMLElement>(FOCUSABLE));
      if (items.length === 0) return;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const inside = box.contains(document.activeElement);
      if (e.shiftKey && (!inside || document.activeElement === first)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (!inside || document.activeElement === last)) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  /** Enter in a field of the dialog confirms too (buttons handle Enter themselves). */
  const onFieldEnter = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || !(e.target instanceof HTMLInputElement)) return;
    e.preventDefault();
    props.onConfirm();
  };
  onMount(() => {
    confirmButton?.focus();
    document.addEventListener('keydown', onKey);
  });
  onCleanup(() => {
    document.removeEventListener('keydown', onKey);
    if (opener?.isConnected) opener.focus();
  });
  return (
    <div class="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4">
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${props.id}-title`}
        aria-describedby={`${props.id}-body`}
        onKeyDown={onFieldEnter}
        class="w-full max-w-lg rounded-lg border border-slate-200 bg-white p-4 shadow-xl dark:border-slate-700 dark:bg-slate-800"
      >
        <h2 id={`${props.id}-title`} class="text-base font-semibold">
          {props.title}
        </h2>
        <div id={`${props.id}-body`} class="mt-2 space-y-2 text-sm text-slate-700 dark:text-slate-300">
          {props.children}
        </div>
        <div class="mt-4 flex justify-end gap-2">
          <Button onClick={() => props.onCancel()}>Cancel</Button>
          <Button ref={confirmButton} variant={props.danger ? 'danger' : 'primary'} onClick={() => props.onConfirm()}>
            {props.confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}

/** A command to paste into a shell, with a copy button that says when it worked. */
export function CopyBox(props: { label: string; text: string }) {
  const [copied, setCopied] = createSignal('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied('Copied.');
    } catch {
      // Plain-HTTP pages have no clipboard API: the text stays selectable by hand.
      setCopied('Copying is not allowed here; select the text and copy it.');
    }
  };
  return (
    <section class="space-y-1" aria-label={props.label}>
      <div class="flex items-start gap-2">
        <pre class="min-w-0 flex-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
          {props.text}
        </pre>
        <Button onClick={() => void copy()} aria-label={`Copy ${props.label}`}>
          Copy
        </Button>
      </div>
      <Show when={copied()}>
        <p class="text-xs text-slate-500">{copied()}</p>
      </Show>
    </section>
  );
}

/** Saves text as a file through a temporary object URL. */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

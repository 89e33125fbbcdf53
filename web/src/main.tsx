import { createResource, Show } from 'solid-js';
import { render } from 'solid-js/web';
import './styles.css';

interface Health {
  status: string;
  uptime: number;
}

function App() {
  const [health] = createResource<Health>(async () => {
    const res = await fetch('/api/health');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  });
  return (
    <main class="p-6 font-sans">
      <h1 class="text-2xl font-semibold">Pulse</h1>
      <Show when={health()} fallback={<p>Connecting…</p>}>
        {(h) => (
          <p>
            Server {h().status}, up {Math.round(h().uptime)} s
          </p>
        )}
      </Show>
    </main>
  );
}

render(() => <App />, document.getElementById('root')!);

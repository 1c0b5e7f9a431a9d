import { isTauri } from '@tauri-apps/api/core';
import { mount } from 'svelte';

import App from './App.svelte';
import type { Backend } from './lib/backend/backend';
import './app.css';

async function pickBackend(): Promise<Backend> {
  if (isTauri()) {
    return (await import('./lib/backend/tauri')).tauriBackend;
  }
  // In a plain browser (the Playwright screens, `npm run dev`): the in-memory mock. `?simulate=off`
  // keeps it still (nothing moves unless the window acts), for tests that must not depend on time.
  const { createMockBackend, scenarioFromUrl } = await import('./lib/backend/mock');
  const simulate = new URLSearchParams(window.location.search).get('simulate') !== 'off';
  return createMockBackend(scenarioFromUrl(window.location.search), { simulate });
}

const target = document.getElementById('app');
if (target) {
  const backend = await pickBackend();
  mount(App, { target, props: { backend } });
}

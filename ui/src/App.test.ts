import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

import App from './App.svelte';
import { HEALTH_EVERY_MS } from './lib/app/app.svelte';
import type { Backend } from './lib/backend/backend';
import { BackendError } from './lib/backend/errors';
import { createMockBackend, mockServices } from './lib/backend/mock';
import { setLocale } from './lib/i18n.svelte';

afterEach(() => setLocale('en'));

describe('control room window', () => {
  it('lists every service of a running rehearsal stack with its address', async () => {
    render(App, { backend: createMockBackend('running') });
    const table = await screen.findByTestId('rehearsal-services');
    const rows = table.querySelectorAll('tr');
    expect(rows).toHaveLength(mockServices.length);
    expect(table.textContent).toContain('Ingest (RTMP)');
    expect(table.textContent).toContain('rtmp://127.0.0.1:21935/live');
    expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Running');
    expect(screen.getByTestId('rehearsal-badge')).toBeTruthy();
  });

  it('shows the installation: version, media engine and the isolated home', async () => {
    render(App, { backend: createMockBackend('running') });
    expect((await screen.findByTestId('app-version')).textContent).toBe('0.1.0');
    expect(screen.getByTestId('install-panel').textContent).toContain('GStreamer 1.22.0');
    expect(screen.getByTestId('isolated-home')).toBeTruthy();
    expect(screen.queryByTestId('missing-media')).toBeNull();
  });

  it('names the missing GStreamer elements and their packages', async () => {
    render(App, { backend: createMockBackend('missing-media') });
    const warning = await screen.findByTestId('missing-media');
    expect(warning.textContent).toContain('x264enc (gstreamer1.0-plugins-ugly)');
  });

  it('turns Stripe and the mailbox red on the overview when they stop answering', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const backend = createMockBackend('running');
    render(App, { backend });
    const stripe = await screen.findByTestId('ready-stripe');
    await waitFor(() => expect(screen.getByTestId('ready-mailbox').dataset.ok).toBe('true'));
    expect(stripe.dataset.ok).toBe('true');
    backend.world.stripe = { ...backend.world.stripe, problem: 'Stripe did not answer within 20 s' };
    backend.world.mailboxProblem = 'IMAP: connection refused by 127.0.0.1:31993';
    await vi.advanceTimersByTimeAsync(HEALTH_EVERY_MS + 100);
    await waitFor(() => expect(screen.getByTestId('ready-stripe').dataset.ok).toBe('false'));
    expect(screen.getByTestId('ready-stripe').textContent).toContain('Stripe did not answer within 20 s');
    expect(screen.getByTestId('ready-mailbox').dataset.ok).toBe('false');
    expect(screen.getByTestId('ready-mailbox').textContent).toContain('connection refused');
    vi.useRealTimers();
  });

  it('starts the stack from the button and follows it to running', async () => {
    render(App, { backend: createMockBackend('off') });
    const start = await screen.findByTestId('rehearsal-start');
    expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Not running');
    await fireEvent.click(start);
    await waitFor(() => expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Starting…'));
    await waitFor(() => expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Running'), { timeout: 2000 });
    expect(screen.getByTestId('rehearsal-services').querySelectorAll('tr')).toHaveLength(mockServices.length);
  });

  it('disables the start button while the stack is starting', async () => {
    render(App, { backend: createMockBackend('starting') });
    await waitFor(() => expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Starting…'));
    expect((screen.getByTestId('rehearsal-start') as HTMLButtonElement).disabled).toBe(true);
  });

  it('stops a running stack', async () => {
    render(App, { backend: createMockBackend('running') });
    await fireEvent.click(await screen.findByTestId('rehearsal-stop'));
    await waitFor(() => expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Stopped'));
    expect(screen.queryByTestId('rehearsal-services')).toBeNull();
  });

  it('shows why the stack failed, from the status and from a refused command', async () => {
    render(App, { backend: createMockBackend('failed') });
    // The failed scenario is on air: the overview is one click away.
    await fireEvent.click(await screen.findByTestId('nav-home'));
    expect((await screen.findByTestId('rehearsal-error')).textContent).toContain('nginx is not installed');
    await fireEvent.click(screen.getByTestId('rehearsal-start'));
    // The refusal shows next to the button that was pressed, in words, with the code kept.
    const notice = await screen.findByTestId('rehearsal-action-error');
    expect(notice.dataset.code).toBe('rehearsal.tool_missing');
    expect(notice.textContent).toContain('A program the rehearsal needs is not installed');
    expect(notice.textContent).toContain('nginx is not installed');
  });

  it('shows an error banner when the backend cannot be reached', async () => {
    const broken: Backend = {
      ...createMockBackend('running'),
      appInfo: () => Promise.reject(new BackendError({ code: 'ipc', message: 'the shell is gone' })),
    };
    render(App, { backend: broken });
    expect((await screen.findByTestId('error-banner')).textContent).toContain('the shell is gone');
  });

  it('switches to French and back', async () => {
    render(App, { backend: createMockBackend('running') });
    await screen.findByTestId('rehearsal-services');
    await fireEvent.click(screen.getByTestId('locale-fr'));
    expect(screen.getByTestId('rehearsal-phase').textContent).toBe('En marche');
    expect(screen.getByTestId('rehearsal-services').textContent).toContain('Boîte du support (IMAP)');
    expect(document.documentElement.lang).toBe('fr');
    await fireEvent.click(screen.getByTestId('locale-en'));
    expect(screen.getByTestId('rehearsal-phase').textContent).toBe('Running');
  });

  it('follows status events pushed by the backend', async () => {
    const backend = createMockBackend('off');
    render(App, { backend });
    await screen.findByTestId('rehearsal-start');
    backend.emit({ phase: 'failed', services: [], error: { code: 'rehearsal.not_ready', message: 'dovecot was not ready' } });
    const shown = (await screen.findByTestId('rehearsal-error')).textContent;
    expect(shown).toContain('did not start in time');
    expect(shown).toContain('dovecot was not ready');
  });

  it('explains known errors in French, with the original message as details', async () => {
    setLocale('fr');
    render(App, { backend: createMockBackend('failed') });
    await fireEvent.click(await screen.findByTestId('nav-home'));
    const shown = (await screen.findByTestId('rehearsal-error')).textContent;
    expect(shown).toContain('n’est pas installé');
    expect(shown).toContain('nginx is not installed');
  });
});

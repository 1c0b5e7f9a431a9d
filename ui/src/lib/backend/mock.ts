import type { AppInfo, Backend, LocalService, RehearsalStatus } from './backend';
import { BackendError, ERROR_CODES } from './errors';

/** Named states the mock can start in (tests and the Playwright screens pick one). */
export type MockScenario = 'running' | 'starting' | 'off' | 'failed' | 'missing-media';

export const mockServices: LocalService[] = [
  { role: 'ingest', program: 'nginx-rtmp', address: 'rtmp://127.0.0.1:21935/live' },
  { role: 'audience', program: 'nginx-rtmp /stat', address: 'http://127.0.0.1:21980/stat' },
  { role: 'srt', program: 'srt-live-transmit', address: 'srt://127.0.0.1:21900' },
  { role: 'payments', program: 'localstripe', address: 'http://127.0.0.1:21420' },
  { role: 'mailbox', program: 'dovecot', address: '127.0.0.1:21143 (support@showdesk.test)' },
  { role: 'outgoing_mail', program: 'aiosmtpd', address: '127.0.0.1:21025' },
];

export const mockInfo: AppInfo = {
  version: '0.1.0',
  isolated_home: true,
  data_dir: '/home/crew/showdesk-rehearsal/data',
  config_dir: '/home/crew/showdesk-rehearsal/config',
  log_dir: '/home/crew/showdesk-rehearsal/logs',
  videos_dir: '/home/crew/showdesk-rehearsal/videos',
  gstreamer: 'GStreamer 1.22.0',
  missing_media_elements: [],
};

const failure: RehearsalStatus = {
  phase: 'failed',
  services: [],
  error: {
    code: ERROR_CODES.rehearsalToolMissing,
    message: 'nginx is not installed (Debian package nginx). Run `cargo xtask test` once: it installs it.',
  },
};

function initial(scenario: MockScenario): RehearsalStatus {
  switch (scenario) {
    case 'running':
    case 'missing-media':
      return { phase: 'running', services: mockServices, error: null };
    case 'starting':
      return { phase: 'starting', services: [], error: null };
    case 'failed':
      return failure;
    case 'off':
      return { phase: 'off', services: [], error: null };
  }
}

/** A backend held in memory: the same shapes as the real one, no IPC. */
export function createMockBackend(scenario: MockScenario = 'running'): Backend & { emit(status: RehearsalStatus): void } {
  let status = initial(scenario);
  const listeners = new Set<(status: RehearsalStatus) => void>();
  const emit = (next: RehearsalStatus) => {
    status = next;
    listeners.forEach((listener) => listener(next));
  };
  const info: AppInfo =
    scenario === 'missing-media'
      ? { ...mockInfo, missing_media_elements: ['x264enc (gstreamer1.0-plugins-ugly)', 'rtmp2sink (gstreamer1.0-plugins-bad)'] }
      : mockInfo;
  return {
    emit,
    appInfo: async () => info,
    rehearsalStatus: async () => status,
    startRehearsal: async () => {
      if (scenario === 'failed') throw new BackendError(failure.error!);
      emit({ phase: 'starting', services: [], error: null });
      setTimeout(() => emit({ phase: 'running', services: mockServices, error: null }), 300);
      return status;
    },
    stopRehearsal: async () => {
      emit({ phase: 'stopped', services: [], error: null });
      return status;
    },
    onRehearsalStatus: async (handler) => {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
  };
}

export function scenarioFromUrl(search: string): MockScenario {
  const wanted = new URLSearchParams(search).get('mock');
  const known: MockScenario[] = ['running', 'starting', 'off', 'failed', 'missing-media'];
  return known.find((scenario) => scenario === wanted) ?? 'running';
}

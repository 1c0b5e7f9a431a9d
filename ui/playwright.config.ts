import { existsSync } from 'node:fs';

import { defineConfig } from '@playwright/test';

// The window against the mock backend, in Debian's chromium (Playwright's own browser download
// does not work on these machines): app.spec (rehearsal states), flows.spec (the operator's main
// paths, deterministic), views.spec (a screenshot of every view in English and French; set
// SHOWDESK_SHOTS to choose their folder).
const port = Number(process.env.SHOWDESK_SCREENS_PORT ?? 41730);

/** The system's Chromium: Debian's, a distribution's chromium-browser, or Ubuntu's snap. */
const chromium =
  process.env.SHOWDESK_CHROMIUM ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'].find((path) => existsSync(path)) ??
  '/usr/bin/chromium';

export default defineConfig({
  testDir: 'screens',
  outputDir: '../target/ui-screens/results',
  reporter: [['list'], ['json', { outputFile: '../target/ui-screens/report.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1366, height: 768 },
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  // The build the shell would serve (ui/dist), built fresh so the screens never test a stale one.
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 120_000,
  },
});

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { inject } from 'vitest';
import { remote } from 'webdriverio';

export type App = Awaited<ReturnType<typeof remote>>;

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const screensDir = join(repoRoot, 'target', 'e2e-screens');

/** A fresh, empty Showdesk home for one app session (never the user's data). */
export function freshHome(name: string): string {
  const parent = join(repoRoot, 'target', 'e2e-homes');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${name}-`));
}

/** Starts the real app through tauri-driver with these arguments and returns the WebDriver session. */
export async function launchApp(args: string[]): Promise<App> {
  const app = process.env.SHOWDESK_APP;
  if (!app) throw new Error('SHOWDESK_APP is not set');
  return remote({
    hostname: '127.0.0.1',
    port: inject('driverPort'),
    logLevel: 'warn',
    capabilities: {
      // tauri-driver turns these into WebKitWebDriver's browser options.
      'tauri:options': { application: app, args },
    } as WebdriverIO.Capabilities,
  });
}

/** Saves a screenshot of the window under target/e2e-screens/<name>.png. */
export async function screenshot(app: App, name: string): Promise<string> {
  mkdirSync(screensDir, { recursive: true });
  const path = join(screensDir, `${name}.png`);
  await app.saveScreenshot(path);
  return path;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export { tmpdir };

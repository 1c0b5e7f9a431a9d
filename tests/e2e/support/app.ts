import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, inject } from 'vitest';
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

/** Closes the window (the app exits with it); never throws. */
export async function closeApp(app: App | undefined): Promise<void> {
  await app?.deleteSession().catch(() => undefined);
}

/** Saves a screenshot of the window under target/e2e-screens/<name>.png. */
export async function screenshot(app: App, name: string): Promise<string> {
  mkdirSync(screensDir, { recursive: true });
  const path = join(screensDir, `${name}.png`);
  await painted(app);
  await app.saveScreenshot(path);
  return path;
}

/** The capture is the last frame the webview painted: let it paint what the DOM says now. */
export async function painted(app: App): Promise<void> {
  await app
    .executeAsync((done: () => void) => {
      setTimeout(done, 1500);
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));
    })
    .catch(() => undefined);
}

/**
 * After a failed test, a screenshot of the window as it was: target/e2e-screens/failed-<test>.png
 * (known-bug-<test>.png for a known bug's canary).
 * Call once at the top of a spec file.
 */
export function screenshotOnFailure(current: () => App | undefined): void {
  afterEach(async ({ task }) => {
    const app = current();
    if (!app || task.result?.state !== 'fail') return;
    // An `it.fails` (a known bug's canary) fails as expected: its screenshot shows the bug.
    const prefix = task.type === 'test' && task.fails ? 'known-bug' : 'failed';
    const name = task.name.replace(/^KNOWN BUG:\s*/, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60);
    await screenshot(app, `${prefix}-${name}`).catch(() => undefined);
  });
}

/**
 * Polls `check` until it returns something other than undefined/null/false, and returns that;
 * fails after `timeoutMs` with `what` and the last error or value seen.
 */
export async function until<T>(check: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = `last value: ${String(value)}`;
    } catch (err) {
      last = `last error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    await sleep(250);
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  await until(check, timeoutMs, what);
}

export { sleep, tmpdir };

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import type { TestProject } from 'vitest/node';

/**
 * Starts tauri-driver (which starts WebKitWebDriver) on free loopback ports for the whole run,
 * and stops it at the end. The app binary and tauri-driver come from `cargo xtask test`.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForDriver(port: number, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('tauri-driver did not answer on /status within 30 s');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const driverPath = process.env.SHOWDESK_TAURI_DRIVER;
  const app = process.env.SHOWDESK_APP;
  if (!driverPath || !app) {
    throw new Error('SHOWDESK_TAURI_DRIVER and SHOWDESK_APP must be set: run the e2e tier with `cargo xtask test --tier e2e`');
  }
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(driverPath, ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForDriver(port, driver);
  project.provide('driverPort', port);
  return async () => {
    driver.kill('SIGTERM');
    await sleep(300);
    if (driver.exitCode === null) driver.kill('SIGKILL');
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    driverPort: number;
  }
}

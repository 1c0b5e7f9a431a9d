import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { until } from './app';

/** The local services the specs talk to directly: HTTP, localstripe, the SMTP sink, IMAP, a stack. */

/** GET `url`; the body, or null when it does not answer 2xx (within 5 s). */
export async function httpText(url: string, headers: Record<string, string> = {}): Promise<string | null> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

/** Whether something accepts TCP connections at `host:port` (rtmp://host:port/…, http://…, "host:port (user)"). */
export async function tcpOpen(address: string): Promise<boolean> {
  const found = /(?:\/\/)?([\d.]+|localhost):(\d+)/.exec(address);
  if (!found) throw new Error(`no host:port in ${address}`);
  const [, host, port] = found;
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// --- localstripe ------------------------------------------------------------------------------

/** localstripe takes any test key. */
const STRIPE_TEST_KEY = 'sk_test_x';

export interface StripeRefund {
  id: string;
  amount: number;
  currency: string;
  payment_intent: string | null;
  charge: string | null;
  status: string;
}

async function stripeList<T>(apiBase: string, path: string): Promise<T[]> {
  const body = await httpText(`${apiBase}${path}`, { Authorization: `Bearer ${STRIPE_TEST_KEY}` });
  if (body === null) throw new Error(`localstripe did not answer ${path}`);
  return (JSON.parse(body) as { data: T[] }).data;
}

export const stripeRefunds = (apiBase: string) => stripeList<StripeRefund>(apiBase, '/v1/refunds?limit=100');
export const stripeCharges = (apiBase: string) => stripeList<{ id: string; paid: boolean; amount: number }>(apiBase, '/v1/charges?limit=100');

// --- the SMTP sink ----------------------------------------------------------------------------

export interface SentMail {
  id: number;
  mail_from: string;
  rcpt_tos: string[];
  raw: string;
}

export async function sentMail(apiUrl: string): Promise<SentMail[]> {
  const body = await httpText(apiUrl);
  if (body === null) throw new Error(`the SMTP sink did not answer ${apiUrl}`);
  return JSON.parse(body) as SentMail[];
}

/** A header of a raw mail (first occurrence, unfolded, RFC 2047 words decoded). */
export function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const value = line ? line.slice(name.length + 1).trim() : '';
  return value.replace(/=\?([\w-]+)\?([BQ])\?([^?]*)\?=\s*/gi, (_, charset: string, encoding: string, text: string) => {
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  });
}

/** A raw mail's body with quoted-printable soft line breaks and escapes undone (good enough to search). */
export function bodyText(raw: string): string {
  const body = raw.split(/\r?\n\r?\n/).slice(1).join('\n\n');
  return /quoted-printable/i.test(raw)
    ? body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : body;
}

/**
 * The HTTP API of the SMTP sink (aiosmtpd) that listens for SMTP on `smtpPort`. The window lists only
 * the SMTP address, so this finds the sink's process (`smtp_sink.py --smtp-port P --http-port Q`),
 * a child of the app. Linux only, like the e2e tier.
 */
export function smtpSinkApiFor(smtpPort: number): string | null {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!args.some((arg) => arg.endsWith('smtp_sink.py'))) continue;
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    if (args.includes('--smtp-port') && Number(value('--smtp-port')) === smtpPort && args.includes('--http-port')) {
      return `http://127.0.0.1:${value('--http-port')}/api/messages`;
    }
  }
  return null;
}

// --- a stack of our own -------------------------------------------------------------------------

/** What `showdesk stack --json --reveal` prints. */
export interface StackEndpoints {
  rtmp_server_url: string;
  rtmp_stat_url: string;
  srt_url: string;
  stripe_api_base: string;
  stripe_secret_key: string;
  imap_host: string;
  imap_port: number;
  imap_user: string;
  imap_password: string;
  smtp_host: string;
  smtp_port: number;
  smtp_api_url: string;
}

export interface Stack {
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}

/** The CLI next to the desktop app (target/debug/showdesk), or SHOWDESK_CLI. */
export function cliPath(): string {
  const app = process.env.SHOWDESK_APP;
  if (process.env.SHOWDESK_CLI) return process.env.SHOWDESK_CLI;
  if (!app) throw new Error('SHOWDESK_APP is not set');
  return join(dirname(app), 'showdesk');
}

/** Runs the rehearsal stack headless (`showdesk stack --json --reveal`) until `stop()`. */
export async function startStack(): Promise<Stack> {
  const child: ChildProcess = spawn(cliPath(), ['stack', '--json', '--reveal'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(late);
  };
  try {
    const line = await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`showdesk stack exited with ${child.exitCode}: ${err.trim()}`);
        return out.split('\n').find((l) => l.trim().startsWith('{'));
      },
      90_000,
      'the stack to print its endpoints',
    );
    return { endpoints: JSON.parse(line) as StackEndpoints, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Puts a mail into the stack's support INBOX over IMAP (APPEND, as a delivery would), with curl. */
export async function deliverToInbox(stack: StackEndpoints, emlPath: string): Promise<void> {
  await promisify(execFile)(
    'curl',
    ['--silent', '--show-error', '--max-time', '30', '--url', `imap://${stack.imap_host}:${stack.imap_port}/INBOX`, '--user', `${stack.imap_user}:${stack.imap_password}`, '--upload-file', emlPath],
    { timeout: 40_000 },
  );
}

// --- a server that must never be called --------------------------------------------------------

export interface Trap {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Every request it got: "GET /path". */
  requests: string[];
  close(): Promise<void>;
}

/** A local HTTP server standing in for a remote host: it records whatever reaches it. */
export async function startTrap(): Promise<Trap> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'Content-Type': 'image/gif' });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the trap server has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

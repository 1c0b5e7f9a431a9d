/**
 * Enough TOML for show profiles in the mock (the app uses the Rust `toml` crate): tables, arrays of
 * tables, strings, integers, booleans and comments. Errors name the line.
 */
import type { ProfileDoc } from '../generated/ProfileDoc';

type Value = string | number | boolean;
interface Table {
  [key: string]: Value | Table[] | Table;
}

function quote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function writeTable(lines: string[], table: Record<string, unknown>) {
  for (const [key, value] of Object.entries(table)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') lines.push(`${key} = ${quote(value)}`);
    else if (typeof value === 'number' || typeof value === 'boolean') lines.push(`${key} = ${String(value)}`);
  }
}

export function writeProfile(doc: ProfileDoc): string {
  const lines: string[] = ['# Showdesk show profile. No secrets here: keys live in the keyring or the environment.', ''];
  if (doc.preview !== undefined && doc.preview !== null) lines.push(`preview = ${doc.preview}`, '');
  for (const [name, section] of [
    ['show', doc.show],
    ['video', doc.video],
    ['audio', doc.audio],
    ['recording', doc.recording],
  ] as const) {
    lines.push(`[${name}]`);
    writeTable(lines, section as unknown as Record<string, unknown>);
    lines.push('');
  }
  for (const source of doc.sources) {
    lines.push('[[sources]]');
    writeTable(lines, source as unknown as Record<string, unknown>);
    lines.push('');
  }
  for (const destination of doc.destinations) {
    lines.push('[[destinations]]');
    writeTable(lines, destination as unknown as Record<string, unknown>);
    lines.push('');
  }
  return lines.join('\n');
}

function parseValue(raw: string, line: number): Value {
  const text = raw.trim();
  if (text.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(text);
    if (!match) throw new Error(`line ${line}: unterminated string`);
    return (match[1] ?? '').replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  const bare = text.replace(/\s*#.*$/, '');
  if (bare === 'true' || bare === 'false') return bare === 'true';
  if (/^[+-]?\d[\d_]*$/.test(bare)) return Number(bare.replaceAll('_', ''));
  throw new Error(`line ${line}: cannot read the value ${bare}`);
}

export function parseToml(text: string): Table {
  const root: Table = {};
  let current: Table = root;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.trim();
    if (content === '' || content.startsWith('#')) return;
    const array = /^\[\[\s*([A-Za-z0-9_]+)\s*\]\]$/.exec(content);
    const table = /^\[\s*([A-Za-z0-9_]+)\s*\]$/.exec(content);
    if (array) {
      const name = array[1]!;
      const list = (root[name] ??= []) as Table[];
      if (!Array.isArray(list)) throw new Error(`line ${line}: ${name} is not an array of tables`);
      current = {};
      list.push(current);
    } else if (table) {
      const name = table[1]!;
      if (name in root) throw new Error(`line ${line}: [${name}] appears twice`);
      current = {};
      root[name] = current;
    } else {
      const pair = /^([A-Za-z0-9_]+)\s*=\s*(.+)$/.exec(content);
      if (!pair) throw new Error(`line ${line}: expected key = value`);
      current[pair[1]!] = parseValue(pair[2]!, line);
    }
  });
  return root;
}

const str = (table: Table | undefined, key: string): string | null => {
  const value = table?.[key];
  return typeof value === 'string' ? value : null;
};
const num = (table: Table | undefined, key: string): number | null => {
  const value = table?.[key];
  return typeof value === 'number' ? value : null;
};
const bool = (table: Table | undefined, key: string): boolean | null => {
  const value = table?.[key];
  return typeof value === 'boolean' ? value : null;
};

export function readProfile(text: string): ProfileDoc {
  const root = parseToml(text);
  const show = root.show as Table | undefined;
  if (!show || !str(show, 'title')) throw new Error('show.title: missing');
  const video = root.video as Table | undefined;
  const audio = root.audio as Table | undefined;
  const recording = root.recording as Table | undefined;
  const sources = (root.sources as Table[] | undefined) ?? [];
  const destinations = (root.destinations as Table[] | undefined) ?? [];
  return {
    show: { title: str(show, 'title') ?? '', starts_at: str(show, 'starts_at'), language: str(show, 'language') },
    video: {
      preset: str(video, 'preset'),
      bitrate_kbps: num(video, 'bitrate_kbps'),
      min_bitrate_kbps: num(video, 'min_bitrate_kbps'),
      encoder: str(video, 'encoder'),
      speed_preset: str(video, 'speed_preset'),
    },
    audio: { bitrate_kbps: num(audio, 'bitrate_kbps') },
    sources: sources.map((source) => ({
      name: str(source, 'name') ?? '',
      kind: str(source, 'kind') ?? '',
      device: str(source, 'device'),
      path: str(source, 'path'),
      loop: bool(source, 'loop'),
      pattern: str(source, 'pattern'),
      frequency_hz: num(source, 'frequency_hz'),
    })),
    destinations: destinations.map((destination) => ({
      name: str(destination, 'name') ?? '',
      url: str(destination, 'url'),
      url_env: str(destination, 'url_env'),
      url_keyring: str(destination, 'url_keyring'),
      key_env: str(destination, 'key_env'),
      key_keyring: str(destination, 'key_keyring'),
      enabled: bool(destination, 'enabled'),
    })),
    recording: { enabled: bool(recording, 'enabled'), folder: str(recording, 'folder') },
    preview: bool(root, 'preview'),
  };
}

/** The mock's setup, preflight and pre-show notices: keyring, profile, Stripe, mailbox. */
import type { Backend, MailboxInput } from '../backend';
import { BackendError } from '../errors';
import type { CheckView } from '../generated/CheckView';
import type { ProfileDoc } from '../generated/ProfileDoc';
import { readProfile, writeProfile } from './toml';
import { MINUTE, type World } from './world';

const fail = (code: string, message: string): never => {
  throw new BackendError({ code, message });
};

export const sleep = (world: World, ms: number) => (world.simulate ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function keyring(world: World) {
  if (!world.secretStore.available) fail('keyring.no_store', world.secretStore.problem ?? 'no secret store');
}

export function mask(value: string): string {
  const prefix = /^(sk|rk)_(test|live)_/.exec(value)?.[0] ?? '';
  return `${prefix}****${value.slice(-4)}`;
}

const LOOPBACK = /^(127\.|localhost$|::1$)/;

/** The profile's own rules (the Rust side names the field the same way). */
export function checkProfile(doc: ProfileDoc): void {
  const bad = (field: string, why: string) => fail('profile.invalid', `${field}: ${why}`);
  if (!doc.show.title.trim()) bad('show.title', 'the title is empty');
  if (doc.show.language && !['en', 'fr'].includes(doc.show.language)) bad('show.language', 'en or fr');
  if (doc.video.preset && !['720p30', '1080p30'].includes(doc.video.preset)) bad('video.preset', '720p30 or 1080p30');
  const rate = doc.video.bitrate_kbps;
  if (rate !== null && (rate < 300 || rate > 20_000)) bad('video.bitrate_kbps', 'between 300 and 20000');
  doc.sources.forEach((source, i) => {
    if (!source.name.trim()) bad(`sources[${i}].name`, 'the name is empty');
    if (!['camera', 'microphone', 'file', 'image', 'test_pattern', 'tone'].includes(source.kind)) bad(`sources[${i}].kind`, `unknown kind "${source.kind}"`);
    if ((source.kind === 'camera' || source.kind === 'microphone') && !source.device) bad(`sources[${i}].device`, 'which device? (`showdesk devices` lists them)');
    if ((source.kind === 'file' || source.kind === 'image') && !source.path) bad(`sources[${i}].path`, 'which file?');
  });
  doc.destinations.forEach((destination, i) => {
    if (!destination.name.trim()) bad(`destinations[${i}].name`, 'the name is empty');
    const url = destination.url?.trim() ?? '';
    if (!url && !destination.url_env && !destination.url_keyring) bad(`destinations[${i}].url`, 'no server URL');
    if (url) {
      if (!/^(rtmps?|srt):\/\/[^/\s]+/.test(url)) bad(`destinations[${i}].url`, 'an rtmp://, rtmps:// or srt:// address');
      if (/passphrase=|auth=|:\/\/[^/@]+:[^/@]+@/.test(url)) bad(`destinations[${i}].url`, 'this URL carries a credential: keep the whole URL in the keyring (url_keyring) or the environment (url_env)');
      if (url.startsWith('rtmp') && !destination.key_env && !destination.key_keyring) bad(`destinations[${i}].key_keyring`, 'the stream key is empty: store it in the keyring, or name an environment variable (key_env)');
    }
  });
}

export function setupApi(world: World): Pick<
  Backend,
  | 'secretStoreStatus' | 'setSecret' | 'secretHint' | 'deleteSecret' | 'profile' | 'saveProfile' | 'exportProfile' | 'importProfile'
  | 'connectStripe' | 'stripeStatus' | 'connectMailbox' | 'preflight' | 'riskNotice'
> {
  return {
    secretStoreStatus: async () => ({ ...world.secretStore }),
    setSecret: async (name, value) => {
      keyring(world);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) fail('keyring.bad_name', `"${name}": letters, digits, dot, dash and underscore only`);
      if (!value.trim()) fail('keyring.empty', `the secret ${name} is empty`);
      await sleep(world, 150);
      world.secrets.set(name, value.trim());
    },
    secretHint: async (name) => {
      keyring(world);
      const value = world.secrets.get(name);
      if (value === undefined) fail('keyring.not_found', `no secret named ${name} in the keyring`);
      return mask(value as string);
    },
    deleteSecret: async (name) => {
      keyring(world);
      world.secrets.delete(name);
    },
    profile: async () => structuredClone(world.profile),
    saveProfile: async (profile) => {
      checkProfile(profile);
      world.profile = structuredClone(profile);
    },
    exportProfile: async () => writeProfile(world.profile),
    importProfile: async (toml) => {
      let doc: ProfileDoc;
      try {
        doc = readProfile(toml);
      } catch (error) {
        return fail('profile.invalid', `the imported profile: ${(error as Error).message}`);
      }
      checkProfile(doc);
      world.profile = doc;
      return structuredClone(doc);
    },
    connectStripe: async (secretName) => {
      keyring(world);
      const key = world.secrets.get(secretName);
      if (key === undefined) return fail('keyring.not_found', `no secret named ${secretName} in the keyring`);
      await sleep(world, 400);
      const mode = /^(?:sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/.exec(key)?.[1];
      if (!mode) return fail('stripe.auth', `Invalid API Key provided: ${mask(key)}`);
      world.stripe = { connected: true, mode, key_masked: mask(key), last_poll_ms: world.now(), problem: null, cursor: 'evt_1QdXnC2eZvKYlo2C0hNqdZ9k', cursor_created_ms: world.now() - 40_000 };
      return { ...world.stripe };
    },
    stripeStatus: async () => ({ ...world.stripe, last_poll_ms: world.stripe.connected ? world.now() - 2_000 : null }),
    connectMailbox: async (input: MailboxInput) => {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.address)) fail('connector.settings', `address: "${input.address}" is not a mail address`);
      for (const [field, host, port, security] of [
        ['imap', input.imapHost, input.imapPort, input.imapSecurity],
        ['smtp', input.smtpHost, input.smtpPort, input.smtpSecurity],
      ] as const) {
        if (!host.trim()) fail('connector.settings', `${field}_host: empty`);
        if (!Number.isInteger(port) || port < 1 || port > 65_535) fail('connector.settings', `${field}_port: ${port} is not a port`);
        if (security === 'plain' && !LOOPBACK.test(host)) fail('connector.settings', `${field}_security: plain text only on this computer (127.0.0.1); use tls or starttls`);
      }
      keyring(world);
      for (const name of [input.imapPasswordSecret, input.smtpPasswordSecret]) {
        if (!world.secrets.has(name)) fail('keyring.not_found', `no secret named ${name} in the keyring`);
      }
      await sleep(world, 500);
      if (input.imapHost.endsWith('.invalid')) fail('connector.connect', `IMAP ${input.imapHost}:${input.imapPort}: name does not resolve`);
      if (world.secrets.get(input.imapPasswordSecret) === 'wrong') fail('connector.auth', `IMAP ${input.imapHost}: [AUTHENTICATIONFAILED] Authentication failed.`);
      world.mailbox = true;
    },
    preflight: async (withBandwidth) => {
      await sleep(world, withBandwidth ? 1_800 : 700);
      const checks: CheckView[] = [];
      for (const source of world.profile.sources) {
        if (source.kind === 'microphone' || source.kind === 'tone') {
          const quiet = source.name === 'Commentaires';
          checks.push({
            name: `${source.name}: sound`,
            status: quiet ? 'warn' : 'pass',
            detail: quiet ? 'silent: check that the microphone is on, plugged in and not muted' : 'peaks at -6.2 dB, loudest average -19.8 dB',
          });
        } else {
          const broken = world.scenario === 'failed' && source.name.startsWith('Caméra 2');
          checks.push(broken ? { name: `${source.name}: picture`, status: 'fail', detail: `${source.device}: the device disappeared (unplugged?)` } : { name: `${source.name}: picture`, status: 'pass', detail: world.profile.video.preset === '1080p30' ? '1920x1080 at 30.0 frames per second' : '1280x720 at 30.0 frames per second' });
        }
      }
      world.profile.destinations.forEach((destination, index) => {
        const host = destination.url ? destination.url.replace(/^\w+:\/\//, '').split(/[/:]/)[0] : 'from the keyring';
        const refused = world.scenario === 'failed' && index === 1;
        checks.push({ name: `${destination.name}: name resolves`, status: 'pass', detail: `${host} → 203.0.113.${20 + index}` });
        checks.push({ name: `${destination.name}: server answers`, status: 'pass', detail: `TCP ${host}:${destination.url?.startsWith('rtmps') ? 443 : 1935} open` });
        checks.push(refused ? { name: `${destination.name}: publish accepted`, status: 'fail', detail: 'the server refused the stream key (NetStream.Publish.BadName)' } : { name: `${destination.name}: publish accepted`, status: 'pass', detail: `accepted in ${(0.4 + index * 0.2).toFixed(1)} s` });
        if (withBandwidth && !refused) {
          const rate = world.profile.video.bitrate_kbps ?? 2500;
          const holds = index === 0 ? rate : Math.round((rate * 0.66) / 100) * 100;
          checks.push({ name: `${destination.name}: bandwidth`, status: holds >= rate ? 'pass' : 'warn', detail: `recommended ${holds} kb/s` });
        }
      });
      world.preflight = checks;
      return checks;
    },
    riskNotice: async (input) => {
      const show = world.shows.find((candidate) => candidate.id === input.show_id);
      if (!show) return fail('store.not_found', `no show ${input.show_id}`);
      if (input.sell_through_percent <= 0 || input.sell_through_percent > 100) fail('box_office.invalid', 'sell_through_percent: between 1 and 100');
      if (input.rush_window_minutes <= 0) fail('box_office.invalid', 'rush_window_minutes: more than 0');
      const orders = Math.round((show.capacity * input.sell_through_percent) / 100);
      const currency = show.price.currency;
      const average = Math.round(show.price.minor * 0.94);
      const rushOrders = Math.round((orders * input.rush_share_percent) / 100);
      const perMinute = Math.ceil((rushOrders / input.rush_window_minutes) * 2.5);
      const volume = orders * average;
      const rushEnds = show.starts_at_ms + 10 * MINUTE;
      const rushStarts = rushEnds - input.rush_window_minutes * MINUTE;
      const fmt = (minor: number) => `${(minor / 100).toFixed(2)} ${currency}`;
      const day = new Date(show.starts_at_ms).toUTCString();
      return {
        expected_orders: orders,
        expected_volume: { minor: volume, currency },
        average_ticket: { minor: average, currency },
        peak_orders_per_minute: perMinute,
        peak_volume_per_hour: { minor: perMinute * 60 * average, currency },
        peak_confirmations_per_hour: perMinute * 60,
        rush_starts_ms: rushStarts,
        rush_ends_ms: rushEnds,
        processor_letter: `Hello,\n\nWe sell tickets for a live online show, "${show.title}", on ${day}, through a Stripe Payment Link.\n\nWe expect about ${orders} orders (${fmt(volume)} in total, ${fmt(average)} on average). About ${input.rush_share_percent} % of them should come in the ${input.rush_window_minutes} minutes before the start, up to ${perMinute} orders a minute (${fmt(perMinute * 60 * average)} an hour).\n\nThis burst is expected: please do not hold or review the account because of it. Our contact during the show: support@ppv-events.fr.\n\nThank you`,
        mail_provider_letter: `Hello,\n\nOn ${day} we send ticket confirmations for a live show, "${show.title}": about ${orders} mails, up to ${perMinute * 60} an hour during the rush (${input.rush_window_minutes} minutes before the start). Each is a transactional mail to a buyer who just paid; our outbox paces them.\n\nPlease do not throttle or flag the account for this volume.\n\nThank you`,
      };
    },
  };
}

import type { Backend } from '../backend/backend';
import { BackendError } from '../backend/errors';
import type { CheckView } from '../backend/generated/CheckView';
import type { ProfileDoc } from '../backend/generated/ProfileDoc';
import type { SecretStoreStatus } from '../backend/generated/SecretStoreStatus';
import type { StripeStatus } from '../backend/generated/StripeStatus';
import { t } from '../i18n.svelte';

/** The stores the platform names (showdesk-platform's keyring), in the window's language. */
const STORES: Record<string, 'secrets.store.secret_service' | 'secrets.store.kernel'> = {
  'the desktop keyring (Secret Service)': 'secrets.store.secret_service',
  'the kernel keyring of this login session (forgotten at logout)': 'secrets.store.kernel',
};

/** Where secrets are kept, said in the window's language when the store is a known one. */
export function storeName(store: string | null | undefined): string {
  if (!store) return '';
  const key = STORES[store];
  return key ? t(key) : store;
}

/** The keyring entry names a profile refers to. */
export function profileSecrets(profile: ProfileDoc | null): string[] {
  if (!profile) return [];
  return profile.destinations.flatMap((destination) => [destination.key_keyring, destination.url_keyring]).filter((name): name is string => !!name);
}

/**
 * What setup knows: where secrets can go, Stripe, the profile and which of its secrets are stored
 * (as masked hints, never the values), and the last preflight.
 */
export class SetupStore {
  secretStore = $state<SecretStoreStatus | null>(null);
  stripe = $state<StripeStatus | null>(null);
  profile = $state<ProfileDoc | null>(null);
  /** Masked hint per keyring entry; `null` when nothing is stored under that name. */
  hints = $state<Record<string, string | null>>({});
  checks = $state<CheckView[] | null>(null);
  error = $state<BackendError | null>(null);

  #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  async refresh(): Promise<void> {
    const b = this.#backend;
    try {
      const [secretStore, stripe, profile] = await Promise.all([b.secretStoreStatus(), b.stripeStatus(), b.profile()]);
      this.secretStore = secretStore;
      this.stripe = stripe;
      this.profile = profile;
      await this.refreshHints([...profileSecrets(profile), 'stripe', 'imap_password', 'smtp_password']);
    } catch (raw) {
      this.error = BackendError.from(raw);
    }
  }

  /** Stripe as the box office sees it now (its last poll may have failed since). */
  async refreshStripe(): Promise<void> {
    try {
      this.stripe = await this.#backend.stripeStatus();
    } catch {
      // Kept as it was.
    }
  }

  async refreshHints(names: string[]): Promise<void> {
    const next = { ...this.hints };
    for (const name of new Set(names)) {
      if (!this.secretStore?.available) {
        next[name] = null;
        continue;
      }
      try {
        next[name] = await this.#backend.secretHint(name);
      } catch {
        next[name] = null;
      }
    }
    this.hints = next;
  }

  /** Every destination has its key (or whole URL) where the profile says it is. */
  get destinationsReady(): boolean {
    const profile = this.profile;
    if (!profile || profile.destinations.length === 0) return false;
    return profile.destinations.every((destination) => {
      const keyed = destination.key_keyring ? !!this.hints[destination.key_keyring] : !!destination.key_env;
      const urled = destination.url_keyring ? !!this.hints[destination.url_keyring] : !!destination.url || !!destination.url_env;
      const needsKey = !destination.url_keyring && !destination.url_env && (destination.url ?? '').startsWith('rtmp');
      return urled && (!needsKey || keyed);
    });
  }
}

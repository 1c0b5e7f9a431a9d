/**
 * English and French. Every string the window shows comes from here; a key missing in French falls
 * back to English (a test checks none is missing).
 */

export type Locale = 'en' | 'fr';

export const en = {
  'app.tagline': 'Control room',
  'app.language': 'Language',
  'rehearsal.title': 'Rehearsal stack',
  'rehearsal.lead': 'Every service a show needs, running on this computer only, so you can try everything before the real show.',
  'rehearsal.phase.off': 'Not running',
  'rehearsal.phase.starting': 'Starting…',
  'rehearsal.phase.running': 'Running',
  'rehearsal.phase.failed': 'Failed',
  'rehearsal.phase.stopped': 'Stopped',
  'rehearsal.start': 'Start rehearsal stack',
  'rehearsal.stop': 'Stop',
  'rehearsal.badge': 'Rehearsal',
  'rehearsal.role.ingest': 'Ingest (RTMP)',
  'rehearsal.role.audience': 'Viewer counts',
  'rehearsal.role.srt': 'SRT receiver',
  'rehearsal.role.payments': 'Payments (Stripe test)',
  'rehearsal.role.mailbox': 'Support mailbox (IMAP)',
  'rehearsal.role.outgoing_mail': 'Outgoing mail (SMTP)',
  'install.title': 'This installation',
  'install.version': 'Version',
  'install.media': 'Media engine',
  'install.media_ok': 'every element it needs is present',
  'install.media_missing': 'Missing GStreamer elements:',
  'install.data': 'Data',
  'install.logs': 'Logs',
  'install.videos': 'Recordings',
  'install.isolated': 'Separate data folder (SHOWDESK_HOME or --home): nothing here touches your real shows.',
  'error.title': 'Something went wrong',
  'error.details': 'Details',
  'error.rehearsal.tool_missing': 'A program the rehearsal needs is not installed. Run `cargo xtask install`.',
  'error.rehearsal.not_ready': 'A rehearsal service did not start in time.',
  'error.rehearsal.exited': 'A rehearsal service stopped while starting.',
  'error.rehearsal.no_free_port': 'No free network port for the rehearsal services.',
  'error.ipc': 'The window lost contact with the control service.',
  'loading': 'Loading…',
} as const;

export type MessageKey = keyof typeof en;

export const fr: Partial<Record<MessageKey, string>> = {
  'app.tagline': 'Régie',
  'app.language': 'Langue',
  'rehearsal.title': 'Banc de répétition',
  'rehearsal.lead': 'Tous les services d’un spectacle, lancés sur cet ordinateur seulement, pour tout essayer avant le vrai direct.',
  'rehearsal.phase.off': 'Arrêté',
  'rehearsal.phase.starting': 'Démarrage…',
  'rehearsal.phase.running': 'En marche',
  'rehearsal.phase.failed': 'Échec',
  'rehearsal.phase.stopped': 'Arrêté',
  'rehearsal.start': 'Lancer le banc de répétition',
  'rehearsal.stop': 'Arrêter',
  'rehearsal.badge': 'Répétition',
  'rehearsal.role.ingest': 'Point d’entrée (RTMP)',
  'rehearsal.role.audience': 'Compteur de spectateurs',
  'rehearsal.role.srt': 'Récepteur SRT',
  'rehearsal.role.payments': 'Paiements (Stripe test)',
  'rehearsal.role.mailbox': 'Boîte du support (IMAP)',
  'rehearsal.role.outgoing_mail': 'Courrier sortant (SMTP)',
  'install.title': 'Cette installation',
  'install.version': 'Version',
  'install.media': 'Moteur média',
  'install.media_ok': 'tous les éléments nécessaires sont présents',
  'install.media_missing': 'Éléments GStreamer manquants\u00a0:',
  'install.data': 'Données',
  'install.logs': 'Journaux',
  'install.videos': 'Enregistrements',
  'install.isolated': 'Dossier de données à part (SHOWDESK_HOME ou --home)\u00a0: rien ici ne touche vos vrais spectacles.',
  'error.title': 'Un problème est survenu',
  'error.details': 'Détails',
  'error.rehearsal.tool_missing': 'Un programme nécessaire au banc de répétition n’est pas installé. Lancez `cargo xtask install`.',
  'error.rehearsal.not_ready': 'Un service du banc de répétition n’a pas démarré à temps.',
  'error.rehearsal.exited': 'Un service du banc de répétition s’est arrêté au démarrage.',
  'error.rehearsal.no_free_port': 'Aucun port réseau libre pour les services du banc de répétition.',
  'error.ipc': 'La fenêtre a perdu le contact avec le service de contrôle.',
  'loading': 'Chargement…',
};

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('showdesk.locale') : null;
const preferred: Locale =
  saved === 'fr' || saved === 'en'
    ? saved
    : typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('fr')
      ? 'fr'
      : 'en';

export const i18n = $state<{ locale: Locale }>({ locale: preferred });

if (typeof document !== 'undefined') document.documentElement.lang = preferred;

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  if (typeof localStorage !== 'undefined') localStorage.setItem('showdesk.locale', locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** The string for `key` in the current locale (reactive in templates). */
export function t(key: MessageKey): string {
  return (i18n.locale === 'fr' ? fr[key] : undefined) ?? en[key];
}

/** `t` for a key built at run time (e.g. a role from the backend); unknown keys show as given. */
export function tDynamic(key: string, fallback: string): string {
  return key in en ? t(key as MessageKey) : fallback;
}

/**
 * What to tell the operator about an error: a sentence in their language when the code is known,
 * and the backend's own (English, scrubbed) message as the details.
 */
export function errorText(code: string, message: string): { summary: string; details: string | null } {
  const key = `error.${code}`;
  if (key in en) return { summary: t(key as MessageKey), details: message };
  return { summary: message, details: null };
}

import { type App, until } from './app';

/** What the window can show (NavRail's `nav-<view>` buttons, `main[data-view]`). */
export type View = 'home' | 'program' | 'boxoffice' | 'audience' | 'support' | 'preflight' | 'setup' | 'after';

/** `[data-testid="id"]`. */
export const tid = (id: string): string => `[data-testid="${id}"]`;

/**
 * The element's text as shown (`innerText`, trimmed); throws when it is missing. WebKitWebDriver's
 * own getText answers "" for some visible elements (the top bar's show title), so not that.
 */
export async function textOf(app: App, selector: string): Promise<string> {
  const text = await app.execute((sel) => (document.querySelector(sel) as HTMLElement | null)?.innerText ?? null, selector);
  if (text === null) throw new Error(`no element ${selector}`);
  return text.trim();
}

/** The text as written in the page (not as CSS shows it: no text-transform, hidden parts included). */
export async function contentOf(app: App, selector: string): Promise<string> {
  return app.execute((sel) => document.querySelector(sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? '', selector);
}

export async function exists(app: App, selector: string): Promise<boolean> {
  return (await app.$(selector)).isExisting();
}

export async function click(app: App, selector: string): Promise<void> {
  const element = await app.$(selector);
  await element.waitForClickable({ timeout: 15_000 });
  await element.click();
}

/** Types into an input (cleared first). */
export async function fill(app: App, selector: string, value: string | number): Promise<void> {
  const element = await app.$(selector);
  await element.waitForDisplayed({ timeout: 15_000 });
  await element.clearValue();
  await element.setValue(String(value));
}

/** Waits until the window has loaded what it shows (`main[data-ready="true"]`). */
export async function waitReady(app: App): Promise<void> {
  await until(() => exists(app, 'main[data-ready="true"]'), 60_000, 'the window to load');
}

/** Opens a view from the navigation rail. */
export async function goTo(app: App, view: View): Promise<void> {
  await click(app, tid(`nav-${view}`));
  await until(() => exists(app, `main[data-view="${view}"]`), 15_000, `the ${view} view`);
}

/** The first number in an element's text ("29 of 300" → 29, "€1,234.00" → 1234). */
export async function numberIn(app: App, selector: string): Promise<number> {
  const found = /\d[\d\s,.\u00a0\u202f]*/.exec(await textOf(app, selector));
  if (!found) return NaN;
  return Number(found[0].replace(/[\s,\u00a0\u202f]/g, '').replace(/\.\d*$/, ''));
}

/** The rehearsal services the Overview lists: role → address. */
export async function rehearsalServices(app: App): Promise<Record<string, string>> {
  return app.execute(() => {
    const rows = document.querySelectorAll<HTMLTableRowElement>('[data-testid="rehearsal-services"] tr[data-role]');
    return Object.fromEntries([...rows].map((row) => [row.dataset.role ?? '', row.querySelector('code')?.textContent?.trim() ?? '']));
  });
}

/** The toasts' texts, newest last. */
export async function toasts(app: App): Promise<string[]> {
  return app.execute(() => [...document.querySelectorAll<HTMLElement>('[data-testid="toast"]')].map((toast) => toast.innerText));
}

/**
 * Records the page's uncaught errors from now on (until the page reloads): `pageErrors` reads them.
 * A Svelte runtime error leaves a panel half drawn without any other sign.
 */
export async function watchPageErrors(app: App): Promise<void> {
  await app.execute(() => {
    const w = window as unknown as { __e2eErrors?: string[] };
    if (w.__e2eErrors) return;
    const errors: string[] = [];
    w.__e2eErrors = errors;
    window.addEventListener('error', (event) => errors.push(event.message));
    window.addEventListener('unhandledrejection', (event) => errors.push(`unhandled rejection: ${String(event.reason)}`));
  });
}

export async function pageErrors(app: App): Promise<string[]> {
  return app.execute(() => (window as unknown as { __e2eErrors?: string[] }).__e2eErrors ?? ['(errors were not being watched)']);
}

/**
 * Whether a JavaScript dialog (alert, confirm, prompt) is open over the window. WebKitWebDriver
 * refuses to run a script then ("unexpected alert open") and dismisses the dialog; so would any
 * earlier command of the spec, which then fails.
 */
export async function dialogOpen(app: App): Promise<boolean> {
  try {
    await app.execute(() => true);
    return false;
  } catch (err) {
    if (/alert open|prompt open|dialog/i.test(String(err))) return true;
    throw err;
  }
}

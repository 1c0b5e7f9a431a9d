/**
 * The window's keyboard: 1–9 cut to a slot, P picture-in-picture, Ctrl+Enter go live,
 * Ctrl+Shift+E end show. Nothing fires while typing in a field or while a dialog is open.
 */
export type Shortcut = { kind: 'cut'; slot: number } | { kind: 'pip' } | { kind: 'go_live' } | { kind: 'end_show' };

export function shortcutOf(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'target'>): Shortcut | null {
  const target = event.target as HTMLElement | null;
  if (target && typeof target.closest === 'function') {
    if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="dialog"]')) return null;
  }
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && !event.shiftKey && event.key === 'Enter') return { kind: 'go_live' };
  if (ctrl && event.shiftKey && (event.code === 'KeyE' || event.key.toLowerCase() === 'e')) return { kind: 'end_show' };
  if (ctrl || event.altKey) return null;
  if (/^Digit[1-9]$/.test(event.code) || /^Numpad[1-9]$/.test(event.code) || /^[1-9]$/.test(event.key)) {
    const digit = /[1-9]/.exec(event.code)?.[0] ?? event.key;
    return { kind: 'cut', slot: Number(digit) - 1 };
  }
  if (!event.shiftKey && (event.code === 'KeyP' || event.key.toLowerCase() === 'p')) return { kind: 'pip' };
  return null;
}

import { describe, expect, it } from 'vitest';

import { shortcutOf } from './shortcuts';

type Init = Partial<Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>> & { target?: EventTarget | null };

const press = (init: Init) => shortcutOf({ key: '', code: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, target: document.body, ...init });

describe('keyboard shortcuts', () => {
  it('cuts with 1–9, on the top row or the keypad, whatever the layout prints', () => {
    expect(press({ key: '1', code: 'Digit1' })).toEqual({ kind: 'cut', slot: 0 });
    expect(press({ key: '9', code: 'Numpad9' })).toEqual({ kind: 'cut', slot: 8 });
    // AZERTY: the key prints "é", its code is still Digit2.
    expect(press({ key: 'é', code: 'Digit2' })).toEqual({ kind: 'cut', slot: 1 });
    expect(press({ key: '0', code: 'Digit0' })).toBeNull();
  });

  it('goes live with Ctrl+Enter and ends with Ctrl+Shift+E (Cmd on a Mac)', () => {
    expect(press({ key: 'Enter', ctrlKey: true })).toEqual({ kind: 'go_live' });
    expect(press({ key: 'Enter', metaKey: true })).toEqual({ kind: 'go_live' });
    expect(press({ key: 'E', code: 'KeyE', ctrlKey: true, shiftKey: true })).toEqual({ kind: 'end_show' });
    expect(press({ key: 'Enter' })).toBeNull();
    expect(press({ key: 'e', code: 'KeyE', ctrlKey: true })).toBeNull();
  });

  it('puts picture-in-picture on P', () => {
    expect(press({ key: 'p', code: 'KeyP' })).toEqual({ kind: 'pip' });
    expect(press({ key: 'P', code: 'KeyP', shiftKey: true })).toBeNull();
  });

  it('leaves modified digits alone (Ctrl+1 is the browser’s, Alt+1 the desktop’s)', () => {
    expect(press({ key: '1', code: 'Digit1', ctrlKey: true })).toBeNull();
    expect(press({ key: '1', code: 'Digit1', altKey: true })).toBeNull();
  });

  it('does nothing while typing in a field or inside a dialog', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    const button = document.createElement('button');
    dialog.append(button);
    document.body.append(input, textarea, dialog);
    expect(press({ key: '2', code: 'Digit2', target: input })).toBeNull();
    expect(press({ key: 'Enter', ctrlKey: true, target: textarea })).toBeNull();
    expect(press({ key: 'p', code: 'KeyP', target: button })).toBeNull();
    document.body.replaceChildren();
  });
});

import { describe, expect, it } from 'vitest';

import { HeldList } from './held.svelte';

const rows = (...ids: string[]) => ids.map((id) => ({ id }));

describe('HeldList', () => {
  it('shows new versions at once while nobody holds it', () => {
    const list = new HeldList<{ id: string }>((row) => row.id);
    list.offer(rows('2', '1'));
    list.offer(rows('3', '2', '1'));
    expect(list.shown.map((row) => row.id)).toEqual(['3', '2', '1']);
    expect(list.waiting).toBe(0);
  });

  it('keeps rows still under the pointer, counts what waits, and applies it on letting go', () => {
    const list = new HeldList<{ id: string }>((row) => row.id);
    list.offer(rows('2', '1'));
    list.hold('pointer');
    list.offer(rows('3', '2', '1'));
    list.offer(rows('5', '4', '3', '2', '1'));
    expect(list.shown.map((row) => row.id)).toEqual(['2', '1']);
    expect(list.waiting).toBe(3);
    // Focus still inside: still held.
    list.hold('focus');
    list.release('pointer');
    expect(list.shown).toHaveLength(2);
    list.release('focus');
    expect(list.shown.map((row) => row.id)).toEqual(['5', '4', '3', '2', '1']);
    expect(list.waiting).toBe(0);
  });

  it('applies the operator’s own change even while held, and "show" applies what waits', () => {
    const list = new HeldList<{ id: string }>((row) => row.id);
    list.offer(rows('1'));
    list.hold('pointer');
    list.offer(rows('1', '0'), true);
    expect(list.shown).toHaveLength(2);
    list.offer(rows('2', '1', '0'));
    expect(list.waiting).toBe(1);
    list.showWaiting();
    expect(list.shown.map((row) => row.id)).toEqual(['2', '1', '0']);
    expect(list.held).toBe(true);
  });
});

describe('HeldList.holders', () => {
  it('holds under the pointer, and while focus moves between its own rows', () => {
    const list = new HeldList<{ id: string }>((row) => row.id);
    list.offer(rows('1'));
    const table = document.createElement('table');
    const [first, second] = [document.createElement('button'), document.createElement('button')];
    table.append(first, second);
    const focusOut = (to: Element | null) => ({ currentTarget: table, relatedTarget: to }) as unknown as FocusEvent;

    list.holders.onpointerenter();
    list.holders.onfocusin();
    list.holders.onpointerleave();
    list.holders.onfocusout(focusOut(second));
    list.offer(rows('2', '1'));
    expect(list.shown).toHaveLength(1);
    list.holders.onfocusout(focusOut(document.body));
    expect(list.shown).toHaveLength(2);
  });
});

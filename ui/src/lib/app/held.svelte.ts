/**
 * A list that does not move under the operator's pointer. During a rush new orders and tickets
 * arrive every second; a row that slides away just before a click refunds the wrong order. While
 * the list is held (the pointer or the keyboard focus is in it), new versions wait and `waiting`
 * says how many new rows there are; letting go, or "show", applies the latest.
 */
export class HeldList<T> {
  shown = $state.raw<T[]>([]);
  /** Rows in the waiting version that are not shown yet. */
  waiting = $state(0);

  #pending: T[] | null = null;
  #holders = new Set<'pointer' | 'focus'>();
  #key: (item: T) => string;

  constructor(key: (item: T) => string) {
    this.#key = key;
  }

  get held(): boolean {
    return this.#holders.size > 0;
  }

  /** A new version of the list. `now` applies it even while held (the operator's own action). */
  offer(next: T[], now = false): void {
    if (!this.held || now || this.shown.length === 0) {
      this.#apply(next);
      return;
    }
    this.#pending = next;
    const present = new Set(this.shown.map(this.#key));
    this.waiting = next.filter((item) => !present.has(this.#key(item))).length;
  }

  hold(by: 'pointer' | 'focus'): void {
    this.#holders.add(by);
  }

  release(by: 'pointer' | 'focus'): void {
    this.#holders.delete(by);
    if (!this.held) this.showWaiting();
  }

  /** The element's events that hold and release the list: spread them on it (`{...list.holders}`). */
  readonly holders = {
    onpointerenter: () => this.hold('pointer'),
    onpointerleave: () => this.release('pointer'),
    onfocusin: () => this.hold('focus'),
    // Focus moving between the list's own rows still holds it.
    onfocusout: (event: FocusEvent) => {
      const within = event.relatedTarget instanceof Node && (event.currentTarget as Node).contains(event.relatedTarget);
      if (!within) this.release('focus');
    },
  };

  /** Applies the waiting version now. */
  showWaiting(): void {
    if (this.#pending) this.#apply(this.#pending);
  }

  #apply(next: T[]): void {
    this.shown = next;
    this.#pending = null;
    this.waiting = 0;
  }
}

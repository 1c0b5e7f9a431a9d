/** Short notices after an action ("Refunded 12.00 EUR on order 1042"), gone after a few seconds. */
export interface Toast {
  id: number;
  title: string;
  detail: string | null;
  tone: 'ok' | 'warn' | 'error';
}

export class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(title: string, detail: string | null = null, tone: Toast['tone'] = 'ok', ms = 6000): void {
    const id = this.#next++;
    this.items = [...this.items.slice(-3), { id, title, detail, tone }];
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id);
  }
}

import { BackendError } from '../backend/errors';

/**
 * One action of a panel: busy while it runs (its button disabled: a double click acts once), and
 * the error it ended with, shown next to it in the operator's language.
 */
export class Task {
  busy = $state(false);
  error = $state<BackendError | null>(null);

  async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await action();
    } catch (raw) {
      this.error = BackendError.from(raw);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  clear(): void {
    this.error = null;
  }
}

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

import type { Backend, RehearsalStatus } from './backend';
import { BackendError } from './errors';

/** Command and event names; they match src-tauri. */
const REHEARSAL_STATUS_EVENT = 'rehearsal-status';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw BackendError.from(raw);
  }
}

export const tauriBackend: Backend = {
  appInfo: () => call('app_info'),
  rehearsalStatus: () => call('rehearsal_status'),
  startRehearsal: () => call('rehearsal_start'),
  stopRehearsal: () => call('rehearsal_stop'),
  onRehearsalStatus: async (handler) => {
    try {
      return await listen<RehearsalStatus>(REHEARSAL_STATUS_EVENT, (event) => handler(event.payload));
    } catch (raw) {
      throw BackendError.from(raw);
    }
  },
};

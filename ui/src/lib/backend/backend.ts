import type { AppInfo } from './generated/AppInfo';
import type { RehearsalStatus } from './generated/RehearsalStatus';

export type { AppInfo, RehearsalStatus };
export type { ErrorBody } from './generated/ErrorBody';
export type { LocalService } from './generated/LocalService';
export type { RehearsalPhase } from './generated/RehearsalPhase';

export type Unlisten = () => void;

/**
 * Everything the UI asks of the control service. The Tauri implementation calls the shell's
 * commands; tests and the browser preview use the mock. Every method rejects with a BackendError.
 */
export interface Backend {
  appInfo(): Promise<AppInfo>;
  rehearsalStatus(): Promise<RehearsalStatus>;
  startRehearsal(): Promise<RehearsalStatus>;
  stopRehearsal(): Promise<RehearsalStatus>;
  onRehearsalStatus(handler: (status: RehearsalStatus) => void): Promise<Unlisten>;
}

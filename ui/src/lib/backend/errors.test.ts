import { describe, expect, it } from 'vitest';

import { BackendError, ERROR_CODES } from './errors';

describe('BackendError', () => {
  it('keeps the code and message of an {code, message} body', () => {
    const error = BackendError.from({ code: 'rehearsal.not_ready', message: 'dovecot was not ready' });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('rehearsal.not_ready');
    expect(error.message).toBe('dovecot was not ready');
  });

  it('passes a BackendError through as it is', () => {
    const error = new BackendError({ code: 'internal', message: 'the task failed' });
    expect(BackendError.from(error)).toBe(error);
  });

  it('turns anything else into an ipc error with its text', () => {
    expect(BackendError.from(new Error('boom')).code).toBe(ERROR_CODES.ipc);
    expect(BackendError.from('command app_info not found').message).toBe('command app_info not found');
    expect(BackendError.from(undefined).code).toBe(ERROR_CODES.ipc);
  });
});

describe('error codes', () => {
  it('are unique', () => {
    const codes = Object.values(ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('mirror what the shell sends, including its own invalid, report.export_failed and internal', () => {
    const codes: string[] = Object.values(ERROR_CODES);
    for (const code of ['invalid', 'report.export_failed', 'internal', 'not_ready', 'profile.invalid', 'keyring.no_store', 'keyring.not_kept', 'media.bad_value', 'support.foreign_recipient', 'box_office.refund_exceeds_remaining', 'platform.home_is_file']) {
      expect(codes).toContain(code);
    }
  });
});

import { describe, expect, it } from 'vitest';

import { BackendError, ERROR_CODES } from './errors';

describe('BackendError', () => {
  it('keeps the code and message of an {code, message} body', () => {
    const error = BackendError.from({ code: 'rehearsal.not_ready', message: 'dovecot was not ready' });
    expect(error.code).toBe('rehearsal.not_ready');
    expect(error.message).toBe('dovecot was not ready');
  });

  it('turns anything else into an ipc error with its text', () => {
    expect(BackendError.from(new Error('boom')).code).toBe(ERROR_CODES.ipc);
    expect(BackendError.from('command app_info not found').message).toBe('command app_info not found');
  });
});

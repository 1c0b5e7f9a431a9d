import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { BackendError } from '../../lib/backend/errors';
import { setLocale } from '../../lib/i18n.svelte';
import RefundDialog from './RefundDialog.svelte';

const order = {
  id: '1042',
  name: 'Léa Moreau',
  email: 'lea.moreau@orange.fr',
  amount: { minor: 2500, currency: 'EUR' },
  refunded: { minor: 1000, currency: 'EUR' },
  remaining: { minor: 1500, currency: 'EUR' },
};

afterEach(() => setLocale('en'));

describe('refund dialog', () => {
  it('refunds what remains by default (amount null: the backend takes what is left)', async () => {
    const onRefund = vi.fn(async () => 'done');
    const onClose = vi.fn();
    render(RefundDialog, { order, onRefund, onClose });
    expect(screen.getByTestId('refund-remaining').textContent).toContain('€15.00');
    await fireEvent.click(screen.getByTestId('refund-submit'));
    expect(onRefund).toHaveBeenCalledWith(null, 'requested_by_customer');
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it('checks a partial amount before sending it', async () => {
    const onRefund = vi.fn(async () => 'done');
    render(RefundDialog, { order, onRefund, onClose: () => undefined });
    await fireEvent.click(screen.getByTestId('refund-part'));
    const amount = screen.getByTestId('refund-amount');
    const submit = screen.getByTestId('refund-submit') as HTMLButtonElement;
    await fireEvent.input(amount, { target: { value: 'douze' } });
    expect(screen.getByTestId('refund-problem').textContent).toBeTruthy();
    expect(submit.disabled).toBe(true);
    await fireEvent.input(amount, { target: { value: '15.01' } });
    expect(screen.getByTestId('refund-problem').textContent).toContain('At most €15.00');
    expect(submit.disabled).toBe(true);
    await fireEvent.input(amount, { target: { value: '7.5' } });
    expect(screen.queryByTestId('refund-problem')).toBeNull();
    await fireEvent.change(screen.getByTestId('refund-reason'), { target: { value: 'duplicate' } });
    await fireEvent.click(submit);
    expect(onRefund).toHaveBeenCalledWith(750, 'duplicate');
  });

  it('keeps the dialog open with the backend’s refusal in words', async () => {
    const onClose = vi.fn();
    const onRefund = vi.fn(() => Promise.reject(new BackendError({ code: 'box_office.refund_exceeds_remaining', message: 'a refund of 15.00 EUR exceeds the 5.00 EUR that remains on order 1042' })));
    render(RefundDialog, { order, onRefund, onClose });
    await fireEvent.click(screen.getByTestId('refund-submit'));
    const error = await screen.findByTestId('refund-error');
    expect(error.textContent).toContain('That is more than what remains to refund on this order.');
    expect(error.textContent).toContain('exceeds the 5.00 EUR');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('reads amounts typed the French way', async () => {
    setLocale('fr');
    const onRefund = vi.fn(async () => 'done');
    render(RefundDialog, { order, onRefund, onClose: () => undefined });
    await fireEvent.click(screen.getByTestId('refund-part'));
    await fireEvent.input(screen.getByTestId('refund-amount'), { target: { value: '12,50' } });
    expect(screen.getByTestId('refund-submit').textContent?.replace(/[\u00a0\u202f]/g, ' ')).toContain('12,50 €');
    await fireEvent.click(screen.getByTestId('refund-submit'));
    expect(onRefund).toHaveBeenCalledWith(1250, 'requested_by_customer');
  });
});

// A card payment's dispute in words, for the console's lists of orders and
// raffle entries: staff see that the bank is deciding, and how it decided.
import type { PaymentDispute } from '../../services/disputes.ts';
import { translator } from '../../i18n.ts';

const t = translator('en');

export function disputeText(d: PaymentDispute, what: 'order' | 'entry'): string {
  const why = d.reason ? ` (${d.reason.replace(/_/g, ' ')})` : '';
  if (d.status === 'open') {
    return what === 'order'
      ? t('The cardholder disputes this payment{why}: the bank decides. Its tickets still work meanwhile; it cannot be refunded until then.', { why })
      : t('The cardholder disputes this payment{why}: the bank decides. Its tickets stay in the draw meanwhile.', { why });
  }
  if (d.status === 'lost') {
    return what === 'order'
      ? t('The cardholder’s dispute{why} was lost: the bank took the money back, so the order was refunded.', { why })
      : t('The cardholder’s dispute{why} was lost: the bank took the money back, so the entry was refunded (after sales closed, its tickets stay in the committed draw).', { why });
  }
  if (d.status === 'won') return t('The cardholder disputed this payment{why}; the dispute was won and nothing changed.', { why });
  return t('The cardholder disputed this payment{why}; the dispute closed as {status}.', { why, status: d.status.replace(/_/g, ' ') });
}

import t from 'tap';
import { withProps } from '../src/objects.ts';

t.test('withProps sets the new properties over a copy, as a spread would', async (t) => {
  const order = { id: 'ord_1', status: 'pending' as 'pending' | 'paid', paidAt: null as number | null };
  const paid = withProps(order, { status: 'paid' as const, paidAt: 5 });
  t.same(paid, { id: 'ord_1', status: 'paid', paidAt: 5 });
  t.same(order, { id: 'ord_1', status: 'pending', paidAt: null }, 'the base is not changed');
  t.not(paid, order);
  t.same(Object.keys(paid), ['id', 'status', 'paidAt'], 'keys keep the base’s order');
  t.same(withProps({ a: 1 }, {}), { a: 1 });
});

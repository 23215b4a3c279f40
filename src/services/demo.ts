// Demo data that tells the NGO's story: the Rescue Fund with an anonymous 1:1
// sponsor, gifts in USD, CAD and KRW, online and offline, one refunded. Every
// person is invented. Loading runs through the same services as real use, on
// a clock that walks through the past weeks, and is safe to run twice.
import { money, parseMoney } from '../domain/money.ts';
import { findCampaignBySlug } from '../db/campaigns.ts';
import { findUserByEmail } from '../db/users.ts';
import { testProvider } from '../payments/test-provider.ts';
import { createCampaign } from './campaigns.ts';
import type { Actor, Services } from './context.ts';
import { recordOfflineGift, refundGift, startOnlineGift, type OfflineMethod } from './gifts.ts';
import { applyPaymentEvent } from './payments.ts';
import { setCampaignOrganizer } from './accounts.ts';
import { createPledge, decidePledge } from './pledges.ts';
import { addRate } from './rates.ts';
import { createUser, roles } from './users.ts';
import type { Role } from '../db/users.ts';

export const demoPassword = 'lantern-demo-2026';
const slug = 'rescue-fund';
const day = 86_400_000;

interface DemoGift {
  name: string;
  email?: string;
  amount: string;
  currency: 'USD' | 'CAD' | 'KRW';
  online: boolean;
  anonymous?: boolean;
  comment?: string;
  method?: OfflineMethod;
  hideAmount?: boolean;
}

// Amounts in major units as a person would type them.
const demoGifts: DemoGift[] = [
  { name: 'Mina Park', email: 'mina.park@example.org', amount: '100', currency: 'USD', online: true, comment: 'For the next family on the road.' },
  { name: 'Daniel Reyes', email: 'd.reyes@example.net', amount: '50', currency: 'USD', online: true },
  { name: 'Hye-jin Cho', email: 'hyejin@example.kr', amount: '100000', currency: 'KRW', online: true, anonymous: true },
  { name: 'Colin MacLeod', email: 'colin.macleod@example.ca', amount: '75', currency: 'CAD', online: true, comment: 'From Edmonton with love' },
  { name: 'Priya Natarajan', email: 'priya.n@example.com', amount: '300', currency: 'USD', online: true, comment: 'One whole rescue!' },
  { name: 'Anonymous supporter', amount: '40', currency: 'USD', online: false, method: 'cash', anonymous: true },
  { name: 'Seo-yeon Lim', email: 'seoyeon.lim@example.kr', amount: '50000', currency: 'KRW', online: true },
  { name: 'Tomasz Nowak', email: 'tnowak@example.eu', amount: '25', currency: 'USD', online: true },
  { name: 'Grace Okafor', email: 'grace.okafor@example.org', amount: '150', currency: 'USD', online: true, hideAmount: true },
  { name: 'Jae-won Bae', email: 'jaewon.bae@example.kr', amount: '30000', currency: 'KRW', online: false, method: 'cash', comment: 'Two Truths and a Lie night' },
  { name: 'Ha-eun Seo', amount: '20000', currency: 'KRW', online: false, method: 'cash' },
  { name: 'Marguerite Tremblay', email: 'm.tremblay@example.ca', amount: '200', currency: 'CAD', online: false, method: 'cheque' },
  { name: 'Owen Fitzgerald', email: 'owen.fitz@example.com', amount: '60', currency: 'USD', online: true, anonymous: true, comment: 'Keep going.' },
  { name: 'Ji-ho Kang', email: 'jiho.kang@example.kr', amount: '70000', currency: 'KRW', online: true },
  { name: 'Lucia Ferraro', email: 'lucia.ferraro@example.it', amount: '120', currency: 'USD', online: true },
  { name: 'Ben Adeyemi', email: 'ben.adeyemi@example.org', amount: '35', currency: 'USD', online: true },
  { name: 'Sun-hee Yoon', amount: '50000', currency: 'KRW', online: false, method: 'cash', comment: 'Screening night raffle table' },
  { name: 'Ruth Halvorsen', email: 'ruth.h@example.no', amount: '500', currency: 'USD', online: false, method: 'bank_transfer' },
  { name: 'Kofi Mensah', email: 'kofi.mensah@example.com', amount: '45', currency: 'CAD', online: true },
  { name: 'Mina Park', email: 'mina.park@example.org', amount: '50', currency: 'USD', online: true, comment: 'Again, because it matters.' },
  { name: 'Eun-ji Han', email: 'eunji.han@example.kr', amount: '40000', currency: 'KRW', online: true, anonymous: true },
  { name: 'Samuel Osei', email: 'sam.osei@example.org', amount: '80', currency: 'USD', online: true },
  { name: 'Ines Carvalho', email: 'ines.c@example.pt', amount: '250', currency: 'USD', online: true, comment: 'In memory of my grandmother, a refugee herself.' },
  { name: 'Aiden Walsh', email: 'aiden.walsh@example.ie', amount: '30', currency: 'USD', online: true },
  { name: 'Min-jun Choi', amount: '100000', currency: 'KRW', online: false, method: 'cash', anonymous: true },
  { name: 'Harriet Quist', email: 'harriet.q@example.ca', amount: '100', currency: 'CAD', online: true },
  { name: 'Yusuf Demir', email: 'yusuf.demir@example.com', amount: '20', currency: 'USD', online: true },
  { name: 'Nora Lindqvist', email: 'nora.l@example.se', amount: '90', currency: 'USD', online: true },
];

export interface DemoResult {
  campaignSlug: string;
  password: string;
  users: { email: string; role: Role }[];
  loaded: boolean;
}

export async function loadDemo(base: Services): Promise<DemoResult> {
  const users = roles.map((role) => ({ email: `${role}@demo.lantern.test`, role }));
  const result = { campaignSlug: slug, password: demoPassword, users };
  if (findCampaignBySlug(base.db, slug)) return { ...result, loaded: false };

  const cli: Actor = { userId: null, label: 'demo', role: 'admin', ip: null };
  for (const u of users) {
    if (!findUserByEmail(base.db, u.email)) {
      await createUser(base, cli, { email: u.email, role: u.role, name: `Demo ${u.role}`, password: demoPassword });
    }
  }

  // A clock that walks forward through the last seven weeks.
  const realNow = base.now();
  let clock = realNow - 50 * day;
  const s: Services = { ...base, now: () => clock };
  const year = new Date(realNow).getUTCFullYear();

  await addRate(s, cli, { base: 'KRW', quote: 'USD', rate: '0.00074' });
  await addRate(s, cli, { base: 'CAD', quote: 'USD', rate: '0.73' });
  await createCampaign(s, cli, {
    slug,
    title: 'Rescue Fund',
    story: [
      'Every year, people escaping persecution are caught on the long road through third countries.',
      'A rescue — safe transport, shelter and documents until they reach safety — costs about **300 USD**.',
      '',
      'This year we want to fund **50 rescues** by 31 December. An anonymous sponsor doubles every gift, up to the cost of 50 rescues.',
      '',
      'You may give anonymously: for some of our supporters that is a matter of safety, and we take it seriously.',
    ].join('\n'),
    currency: 'USD',
    goal: money(1_500_000, 'USD'),
    impact: { unit: 'rescue', unitCost: money(30_000, 'USD') },
    startsAt: realNow - 60 * day,
    endsAt: Date.UTC(year, 11, 31, 23, 59, 59),
    status: 'published',
  });
  // The demo organizer runs the fund; the demo sponsor is the foundation that
  // proposed the 1:1 match, approved by the admin before the first gift.
  const organizer = findUserByEmail(base.db, 'organizer@demo.lantern.test');
  if (organizer) await setCampaignOrganizer(s, cli, slug, organizer.email, true);
  const sponsorUser = findUserByEmail(base.db, 'sponsor@demo.lantern.test');
  const sponsor: Actor = sponsorUser ? { userId: sponsorUser.id, label: sponsorUser.email, role: 'sponsor', ip: null } : cli;
  const match = await createPledge(
    s,
    sponsor,
    slug,
    {
      sponsor: { name: 'Harbour Light Foundation', email: 'sponsor@demo.lantern.test' },
      anonymous: true,
      message: 'Every rescue you fund, we fund another.',
      ratio: '1:1',
      capUnits: 50,
      startsAt: clock,
    },
    'proposed',
  );
  await decidePledge(s, cli, match.id, 'approve');

  const provider = testProvider(base.config.baseUrl);
  const ids: string[] = [];
  for (const g of demoGifts) {
    clock += day + ((g.name.length * 7919) % 17) * 3_600_000;
    const common = {
      amount: parseMoney(g.amount, g.currency),
      anonymous: g.anonymous ?? false,
      showAmount: !g.hideAmount,
      comment: g.comment ?? null,
    };
    if (g.online && g.email) {
      const started = await startOnlineGift(s, provider, slug, { ...common, donor: { name: g.name, email: g.email } });
      const checkoutId = new URL(started.checkoutUrl).pathname.split('/').pop() ?? '';
      await applyPaymentEvent(s, { provider: 'test', eventId: `${checkoutId}:pay`, outcome: 'completed', checkoutId });
      ids.push(started.gift.id);
    } else {
      const gift = await recordOfflineGift(s, cli, slug, {
        ...common,
        donor: { name: g.name, email: g.email ?? null },
        method: g.method ?? 'cash',
      });
      ids.push(gift.id);
    }
  }
  // One donor asked for their money back (a duplicate card charge).
  clock += day;
  const refunded = ids[7];
  if (refunded) await refundGift(s, cli, refunded, { reason: 'Duplicate charge reported by the donor' });
  // A second offer from the same sponsor waits for the admin: the console's "needs attention".
  clock = realNow - day;
  await createPledge(
    s,
    sponsor,
    slug,
    {
      sponsor: { name: 'Harbour Light Foundation', email: 'sponsor@demo.lantern.test' },
      anonymous: false,
      message: 'For the last month of the year: every gift matched again at half its size.',
      ratio: '1:2',
      cap: money(200_000, 'USD'),
      startsAt: Date.UTC(year, 11, 1),
      stacking: true,
    },
    'proposed',
  );
  return { ...result, loaded: true };
}

// CSV exports of a campaign, built on the real app with data entered through
// the API: exact files per audience, who sees which personal data, formula
// neutralisation of a hostile donor name, and that the gifts export adds up
// to the campaign's raised total.
import t, { type Test } from 'tap';
import { parseMoney } from '../../src/domain/money.ts';
import { campaignProgress, getCampaign } from '../../src/services/campaigns.ts';
import { donorsCsv, giftsCsv, pledgeStatementCsv, pledgesCsv } from '../../src/services/exports.ts';
import { applyPaymentEvent } from '../../src/services/payments.ts';
import { buildTestApp, createRescueFund, type TestApp } from '../helper.ts';
import { addPledge, addRate, checkoutPath, donate, krw, offline, refund, usd, verifyClean } from '../web/api-helpers.ts';

const BOM = '\uFEFF';
const EVIL = '=HYPERLINK("http://evil")';
/** How the hostile name must be written: neutralised, then quoted for its quotes. */
const EVIL_CSV = `"'=HYPERLINK(""http://evil"")"`;

/** The export day; every step below happens a minute after the one before. */
const at = (minute: number | null): string =>
  minute === null ? '' : `2026-11-27T09:${String(minute).padStart(2, '0')}:00.000Z`;
const csv = (...lines: string[]): string => BOM + lines.map((l) => `${l}\r\n`).join('');

interface Scenario {
  ta: TestApp;
  g: { ada: string; gina: string; kim: string; evil: string; ada2: string; bo: string; pat: string };
  sam: string;
  harbour: string;
}

/**
 * The Rescue Fund (USD) with an anonymous 1:1 sponsor, a named 2:1 sponsor
 * whose window opens next month, and gifts: offline and online, anonymous,
 * in KRW at a rate, a hostile name, partly and fully refunded, and pending.
 */
async function scenario(t: Test): Promise<Scenario> {
  const ta = await buildTestApp(t);
  ta.clock.now = Date.UTC(2026, 10, 27, 9, 0, 0);
  const tick = () => {
    ta.clock.now += 60_000;
  };
  await createRescueFund(ta);
  await addRate(ta, 'KRW', '0.00074');
  const sam = (await addPledge(ta, { sponsor: { name: 'Secret Sam', email: 'sam@sponsor.test' }, anonymous: true, capUnits: 50 })).id;
  const harbour = (
    await addPledge(ta, {
      ratio: '2:1',
      cap: usd(50_000),
      startsAt: '2026-12-01T00:00:00.000Z',
      endsAt: '2026-12-31T00:00:00.000Z',
    })
  ).id;

  tick(); // 09:01
  const ada = (
    await offline(ta, usd(10_000), { name: 'Ada Park', email: 'ada@donor.test' }, { comment: 'For the next rescue', note: 'cash box, screening night' })
  ).id;
  tick(); // 09:02, paid at 09:03
  const donation = await donate(ta, usd(5_000), { name: 'Gina', email: 'gina@donor.test' }, { anonymous: true, showAmount: false });
  tick();
  // Paid the way the checkout page and a provider's webhook report it.
  const checkoutId = checkoutPath(donation).split('/').pop() ?? '';
  await applyPaymentEvent(ta.services, { provider: 'test', eventId: `${checkoutId}:pay`, outcome: 'completed', checkoutId });
  tick(); // 09:04
  const kim = (await offline(ta, krw(50_000), { name: 'Min-jun Kim', email: 'min@donor.test' }, { method: 'bank_transfer' })).id;
  tick(); // 09:05
  const evil = (await offline(ta, usd(2_000), { name: EVIL }, { comment: '-5 for the vet' })).id;
  tick(); // 09:06: Ada again, her address typed in capitals this time
  const ada2 = (await offline(ta, usd(3_000), { name: 'Ada Park', email: 'ADA@donor.test' })).id;
  tick(); // 09:07
  await refund(ta, ada2, usd(1_000));
  tick(); // 09:08
  const bo = (await offline(ta, usd(1_000), { name: 'Bo', email: 'bo@donor.test' }, { method: 'cheque' })).id;
  tick(); // 09:09
  await refund(ta, bo);
  tick(); // 09:10: started, never paid
  const pat = (await donate(ta, usd(2_500), { name: 'Pat', email: 'pat@donor.test' })).id;
  tick(); // 09:11
  await verifyClean(t, ta);
  return { ta, g: { ada, gina: donation.id, kim, evil, ada2, bo, pat }, sam, harbour };
}

const GIFTS_HEADER_ADMIN =
  'id,created,succeeded,status,source,method,amount,currency,fee cover,fee cover refunded,campaign value,rate,refunded,matched,campaign currency,donor name,donor e-mail,anonymous,show amount,comment,note';
const GIFTS_HEADER_ORGANIZER =
  'id,created,succeeded,status,source,method,amount,currency,fee cover,fee cover refunded,campaign value,rate,refunded,matched,campaign currency,donor name,anonymous,show amount,comment,note';

t.test('gifts CSV for an admin: every gift, every column, names and e-mails', async (t) => {
  const { ta, g } = await scenario(t);
  const file = giftsCsv(ta.services, 'rescue-fund', 'admin');
  t.equal(file.filename, 'rescue-fund-gifts-2026-11-27.csv');
  t.equal(
    file.csv,
    csv(
      GIFTS_HEADER_ADMIN,
      `${g.ada},${at(1)},${at(1)},succeeded,offline,cash,100.00,USD,0.00,0.00,100.00,,0.00,100.00,USD,Ada Park,ada@donor.test,no,yes,For the next rescue,"cash box, screening night"`,
      `${g.gina},${at(2)},${at(3)},succeeded,online,test,50.00,USD,0.00,0.00,50.00,,0.00,50.00,USD,Gina,gina@donor.test,yes,no,,`,
      `${g.kim},${at(4)},${at(4)},succeeded,offline,bank_transfer,50000,KRW,0,0,37.00,0.00074,0.00,37.00,USD,Min-jun Kim,min@donor.test,no,yes,,`,
      `${g.evil},${at(5)},${at(5)},succeeded,offline,cash,20.00,USD,0.00,0.00,20.00,,0.00,20.00,USD,${EVIL_CSV},,no,yes,'-5 for the vet,`,
      `${g.ada2},${at(6)},${at(6)},partially_refunded,offline,cash,30.00,USD,0.00,0.00,30.00,,10.00,20.00,USD,Ada Park,ada@donor.test,no,yes,,`,
      `${g.bo},${at(8)},${at(8)},refunded,offline,cheque,10.00,USD,0.00,0.00,10.00,,10.00,0.00,USD,Bo,bo@donor.test,no,yes,,`,
      `${g.pat},${at(10)},,pending,online,test,25.00,USD,0.00,0.00,,,0.00,0.00,USD,Pat,pat@donor.test,no,yes,,`,
    ),
  );
});

t.test('gifts CSV for an organizer: no e-mail column, anonymous donors unnamed', async (t) => {
  const { ta, g } = await scenario(t);
  const file = giftsCsv(ta.services, 'rescue-fund', 'organizer');
  t.equal(
    file.csv,
    csv(
      GIFTS_HEADER_ORGANIZER,
      `${g.ada},${at(1)},${at(1)},succeeded,offline,cash,100.00,USD,0.00,0.00,100.00,,0.00,100.00,USD,Ada Park,no,yes,For the next rescue,"cash box, screening night"`,
      `${g.gina},${at(2)},${at(3)},succeeded,online,test,50.00,USD,0.00,0.00,50.00,,0.00,50.00,USD,Anonymous,yes,no,,`,
      `${g.kim},${at(4)},${at(4)},succeeded,offline,bank_transfer,50000,KRW,0,0,37.00,0.00074,0.00,37.00,USD,Min-jun Kim,no,yes,,`,
      `${g.evil},${at(5)},${at(5)},succeeded,offline,cash,20.00,USD,0.00,0.00,20.00,,0.00,20.00,USD,${EVIL_CSV},no,yes,'-5 for the vet,`,
      `${g.ada2},${at(6)},${at(6)},partially_refunded,offline,cash,30.00,USD,0.00,0.00,30.00,,10.00,20.00,USD,Ada Park,no,yes,,`,
      `${g.bo},${at(8)},${at(8)},refunded,offline,cheque,10.00,USD,0.00,0.00,10.00,,10.00,0.00,USD,Bo,no,yes,,`,
      `${g.pat},${at(10)},,pending,online,test,25.00,USD,0.00,0.00,,,0.00,0.00,USD,Pat,no,yes,,`,
    ),
  );
  t.notMatch(file.csv, /@/, 'no e-mail address at all');
  t.notMatch(file.csv, /Gina/, 'the anonymous donor is not named');
});

/** Reads back what the exports write (RFC 4180, CRLF, BOM); enough for the sums below. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const field = /("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n)/y;
  let row: string[] = [];
  field.lastIndex = text.startsWith(BOM) ? 1 : 0;
  while (field.lastIndex < text.length) {
    const m = field.exec(text);
    if (m === null) throw new Error(`not CSV at ${field.lastIndex}`);
    const raw = m[1] ?? '';
    row.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
    if (m[2] === '\r\n') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

function columnSum(rows: string[][], name: string): number {
  const [header = [], ...body] = rows;
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name}`);
  return body.reduce((sum, r) => sum + (r[i] ? parseMoney(r[i] ?? '', 'USD', { allowZero: true }).amount : 0), 0);
}

t.test('the gifts CSV adds up to the campaign page: ledger = totals = export', async (t) => {
  const { ta } = await scenario(t);
  const progress = campaignProgress(ta.services, getCampaign(ta.services, 'rescue-fund'));
  t.same([progress.raised.amount, progress.matched.amount, progress.donorCount], [22_700, 22_700, 4]);
  for (const audience of ['admin', 'organizer'] as const) {
    const gifts = parseCsv(giftsCsv(ta.services, 'rescue-fund', audience).csv);
    t.equal(gifts.length, 8, 'a header and 7 gifts');
    t.equal(columnSum(gifts, 'campaign value') - columnSum(gifts, 'refunded'), progress.raised.amount, `${audience}: value - refunds = raised`);
    t.equal(columnSum(gifts, 'matched'), progress.matched.amount, `${audience}: matched = matched`);
    const donors = parseCsv(donorsCsv(ta.services, 'rescue-fund', audience).csv);
    t.equal(donors.length - 1, progress.donorCount, `${audience}: one row per counted donor`);
    t.equal(columnSum(donors, 'total'), progress.raised.amount, `${audience}: donors' totals = raised`);
  }
});

t.test('donors CSV: one row per donor key, net of refunds, counting gifts only', async (t) => {
  const { ta } = await scenario(t);
  const admin = donorsCsv(ta.services, 'rescue-fund', 'admin');
  t.equal(admin.filename, 'rescue-fund-donors-2026-11-27.csv');
  t.equal(
    admin.csv,
    csv(
      'donor name,donor e-mail,anonymous,gifts,total,currency,first gift,last gift',
      `Ada Park,ada@donor.test,no,2,120.00,USD,${at(1)},${at(6)}`,
      `Gina,gina@donor.test,yes,1,50.00,USD,${at(3)},${at(3)}`,
      `Min-jun Kim,min@donor.test,no,1,37.00,USD,${at(4)},${at(4)}`,
      `${EVIL_CSV},,no,1,20.00,USD,${at(5)},${at(5)}`,
    ),
    'Bo (fully refunded) and Pat (never paid) are not donors',
  );
  const organizer = donorsCsv(ta.services, 'rescue-fund', 'organizer');
  t.equal(
    organizer.csv,
    csv(
      'donor name,anonymous,gifts,total,currency,first gift,last gift',
      `Ada Park,no,2,120.00,USD,${at(1)},${at(6)}`,
      `Anonymous,yes,1,50.00,USD,${at(3)},${at(3)}`,
      `Min-jun Kim,no,1,37.00,USD,${at(4)},${at(4)}`,
      `${EVIL_CSV},no,1,20.00,USD,${at(5)},${at(5)}`,
    ),
  );
  t.notMatch(organizer.csv, /@|Gina/);
});

t.test('a donor anonymous on one gift of two is anonymous to organizers', async (t) => {
  const { ta } = await scenario(t);
  await offline(ta, usd(500), { name: 'Ada P.', email: 'ada@donor.test' }, { anonymous: true });
  const rows = parseCsv(donorsCsv(ta.services, 'rescue-fund', 'organizer').csv);
  t.same(rows[1], ['Anonymous', 'yes', '3', '125.00', 'USD', at(1), at(11)]);
  const admin = parseCsv(donorsCsv(ta.services, 'rescue-fund', 'admin').csv);
  t.same(admin[1], ['Ada P.', 'ada@donor.test', 'yes', '3', '125.00', 'USD', at(1), at(11)], 'the latest name and e-mail');
});

t.test('match pledges CSV: sponsors named for admins, anonymous ones hidden from organizers', async (t) => {
  const { ta, sam, harbour } = await scenario(t);
  const admin = pledgesCsv(ta.services, 'rescue-fund', 'admin');
  t.equal(admin.filename, 'rescue-fund-match-pledges-2026-11-27.csv');
  t.equal(
    admin.csv,
    csv(
      'id,sponsor,sponsor e-mail,anonymous,ratio sponsor,ratio donor,cap,matched,remaining,currency,status,starts,ends,stopped',
      `${sam},Secret Sam,sam@sponsor.test,yes,1,1,15000.00,227.00,14773.00,USD,active,${at(0)},,`,
      `${harbour},Harbour Bank,csr@harbour.test,no,2,1,500.00,0.00,500.00,USD,scheduled,2026-12-01T00:00:00.000Z,2026-12-31T00:00:00.000Z,`,
    ),
  );
  const organizer = pledgesCsv(ta.services, 'rescue-fund', 'organizer');
  t.equal(
    organizer.csv,
    csv(
      'id,sponsor,anonymous,ratio sponsor,ratio donor,cap,matched,remaining,currency,status,starts,ends,stopped',
      `${sam},Anonymous sponsor,yes,1,1,15000.00,227.00,14773.00,USD,active,${at(0)},,`,
      `${harbour},Harbour Bank,no,2,1,500.00,0.00,500.00,USD,scheduled,2026-12-01T00:00:00.000Z,2026-12-31T00:00:00.000Z,`,
    ),
  );
  t.notMatch(organizer.csv, /@|Secret Sam/);
});

t.test("a sponsor's statement: the gifts matched and the total owed, never a donor's e-mail", async (t) => {
  const { ta, sam, harbour } = await scenario(t);
  const file = pledgeStatementCsv(ta.services, sam);
  t.equal(file.filename, `rescue-fund-match-statement-${sam}-2026-11-27.csv`);
  t.equal(
    file.csv,
    csv(
      'date,donor,amount,currency,campaign value,matched,campaign currency',
      `${at(1)},Ada Park,100.00,USD,100.00,100.00,USD`,
      `${at(3)},Anonymous,50.00,USD,50.00,50.00,USD`,
      `${at(4)},Min-jun Kim,50000,KRW,37.00,37.00,USD`,
      `${at(5)},${EVIL_CSV},20.00,USD,20.00,20.00,USD`,
      `${at(6)},Ada Park,30.00,USD,30.00,20.00,USD`,
      ',Total,,,237.00,227.00,USD',
    ),
  );
  t.notMatch(file.csv, /@|Gina/);
  t.equal(
    pledgeStatementCsv(ta.services, harbour).csv,
    csv('date,donor,amount,currency,campaign value,matched,campaign currency', ',Total,,,0.00,0.00,USD'),
    'a pledge that matched nothing yet owes nothing',
  );
});

t.test('a statement whose lines disagree with the pledge total is refused, not written', async (t) => {
  const { ta, sam } = await scenario(t);
  // A corrupted cache, as only a bug or a hand edit could leave it.
  ta.db.sqlite.prepare('update match_pledges set allocated = allocated + 1 where id = ?').run(sam);
  t.throws(() => pledgeStatementCsv(ta.services, sam), /statement lines sum to 22700, pledge says 22701/);
});

t.test('an unknown campaign or pledge is not found', async (t) => {
  const ta = await buildTestApp(t);
  for (const audience of ['admin', 'organizer'] as const) {
    t.throws(() => giftsCsv(ta.services, 'no-such-fund', audience), { code: 'not_found' });
    t.throws(() => donorsCsv(ta.services, 'no-such-fund', audience), { code: 'not_found' });
    t.throws(() => pledgesCsv(ta.services, 'no-such-fund', audience), { code: 'not_found' });
  }
  t.throws(() => pledgeStatementCsv(ta.services, 'pledge_nope'), { code: 'not_found' });
});

t.test('an empty campaign exports its headers only', async (t) => {
  const ta = await buildTestApp(t);
  await createRescueFund(ta);
  t.equal(giftsCsv(ta.services, 'rescue-fund', 'admin').csv, csv(GIFTS_HEADER_ADMIN));
  t.equal(donorsCsv(ta.services, 'rescue-fund', 'organizer').csv, csv('donor name,anonymous,gifts,total,currency,first gift,last gift'));
  t.equal(
    pledgesCsv(ta.services, 'rescue-fund', 'organizer').csv,
    csv('id,sponsor,anonymous,ratio sponsor,ratio donor,cap,matched,remaining,currency,status,starts,ends,stopped'),
  );
});

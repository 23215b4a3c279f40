// Local event times to instants and back, around the daylight-saving changes
// of America/Vancouver in 2026 (8 March: 02:00 → 03:00; 1 November: 02:00 →
// 01:00), in Regina (no DST at all) and in Seoul (+09:00 all year).
import t, { type Test } from 'tap';
import {
  canonicalZone,
  localDateTime,
  offsetAt,
  parseLocalDateTime,
  requireZone,
  wallTimeIsExact,
  zoneTransitions,
} from '../../src/domain/local-time.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const at = (iso: string) => Date.parse(iso);

function refusal(t: Test, fn: () => unknown, field: string, message: RegExp) {
  try {
    fn();
    t.fail('expected a ValidationError');
  } catch (err) {
    t.ok(err instanceof ValidationError, 'a ValidationError');
    t.match((err as ValidationError).issues, [{ field, message }]);
  }
}

t.test('Seoul: +09:00 all year, whatever the season', async (t) => {
  t.equal(parseLocalDateTime('2026-12-05T19:00', 'Asia/Seoul', 'startsAt'), at('2026-12-05T10:00:00Z'));
  t.equal(parseLocalDateTime('2026-07-05T19:00:30', 'Asia/Seoul', 'startsAt'), at('2026-07-05T10:00:30Z'));
  t.equal(localDateTime(at('2026-12-05T10:00:00Z'), 'Asia/Seoul'), '2026-12-05T19:00');
  t.equal(localDateTime(at('2026-12-05T10:00:30Z'), 'Asia/Seoul'), '2026-12-05T19:00:30', 'seconds only when there are some');
  t.same(zoneTransitions('Asia/Seoul', at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')), []);
});

t.test('Regina keeps CST (-06:00) in summer and winter; Edmonton next door changes', async (t) => {
  t.equal(parseLocalDateTime('2026-07-15T19:00', 'America/Regina', 'startsAt'), at('2026-07-16T01:00:00Z'));
  t.equal(parseLocalDateTime('2026-12-15T19:00', 'America/Regina', 'startsAt'), at('2026-12-16T01:00:00Z'));
  t.equal(parseLocalDateTime('2026-03-08T02:30', 'America/Regina', 'startsAt'), at('2026-03-08T08:30:00Z'), 'no gap in Regina');
  t.same(zoneTransitions('America/Regina', at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')), []);
  t.equal(parseLocalDateTime('2026-07-15T19:00', 'America/Edmonton', 'startsAt'), at('2026-07-16T01:00:00Z'), 'MDT is -06:00');
  t.equal(parseLocalDateTime('2026-12-15T19:00', 'America/Edmonton', 'startsAt'), at('2026-12-16T02:00:00Z'), 'MST is -07:00');
});

t.test('Vancouver, 8 March 2026: 02:00 to 02:59 do not exist', async (t) => {
  t.equal(parseLocalDateTime('2026-03-08T01:59', 'America/Vancouver', 'startsAt'), at('2026-03-08T09:59:00Z'), 'PST just before');
  t.equal(parseLocalDateTime('2026-03-08T03:00', 'America/Vancouver', 'startsAt'), at('2026-03-08T10:00:00Z'), 'PDT just after');
  for (const gap of ['2026-03-08T02:00', '2026-03-08T02:30', '2026-03-08T02:59:59']) {
    refusal(t, () => parseLocalDateTime(gap, 'America/Vancouver', 'startsAt'), 'startsAt', /does not exist in America\/Vancouver: the clocks go from 02:00 straight to 03:00/);
  }
  t.equal(parseLocalDateTime('2026-03-08T02:30-08:00', 'America/Vancouver', 'startsAt'), at('2026-03-08T10:30:00Z'), 'an offset names the instant');
});

t.test('Vancouver, 1 November 2026: 01:00 to 01:59 happen twice; the first is meant', async (t) => {
  const first = parseLocalDateTime('2026-11-01T01:30', 'America/Vancouver', 'endsAt');
  t.equal(first, at('2026-11-01T08:30:00Z'), '01:30 PDT (-07:00), as RFC 5545 reads it');
  t.equal(parseLocalDateTime('2026-11-01T01:30-08:00', 'America/Vancouver', 'endsAt'), at('2026-11-01T09:30:00Z'), 'the second, by offset');
  t.equal(parseLocalDateTime('2026-11-01T00:59', 'America/Vancouver', 'endsAt'), at('2026-11-01T07:59:00Z'));
  t.equal(parseLocalDateTime('2026-11-01T02:00', 'America/Vancouver', 'endsAt'), at('2026-11-01T10:00:00Z'));
  t.equal(localDateTime(at('2026-11-01T08:30:00Z'), 'America/Vancouver'), '2026-11-01T01:30');
  t.equal(localDateTime(at('2026-11-01T09:30:00Z'), 'America/Vancouver'), '2026-11-01T01:30', 'both read 01:30');
  t.ok(wallTimeIsExact(at('2026-11-01T08:30:00Z'), 'America/Vancouver'), 'the first reads back as itself');
  t.notOk(wallTimeIsExact(at('2026-11-01T09:30:00Z'), 'America/Vancouver'), 'the second does not');
  t.ok(wallTimeIsExact(at('2026-11-01T10:30:00Z'), 'America/Vancouver'));
  t.equal(offsetAt(at('2026-11-01T08:59:59Z'), 'America/Vancouver'), -420);
  t.equal(offsetAt(at('2026-11-01T09:00:00Z'), 'America/Vancouver'), -480);
});

t.test('the transitions of a year, found to the second', async (t) => {
  t.same(zoneTransitions('America/Vancouver', at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')), [
    { at: at('2026-03-08T10:00:00Z'), from: -480, to: -420, dst: true },
    { at: at('2026-11-01T09:00:00Z'), from: -420, to: -480, dst: false },
  ]);
  t.same(
    zoneTransitions('Australia/Lord_Howe', at('2026-09-01T00:00:00Z'), at('2026-12-01T00:00:00Z')),
    [{ at: at('2026-10-03T15:30:00Z'), from: 630, to: 660, dst: true }],
    'a half-hour change',
  );
});

t.test('offsets and Z give instants whatever the zone', async (t) => {
  t.equal(parseLocalDateTime('2026-12-05T19:00+09:00', 'America/Regina', 'startsAt'), at('2026-12-05T10:00:00Z'));
  t.equal(parseLocalDateTime('2026-12-05T10:00:00Z', 'Asia/Seoul', 'startsAt'), at('2026-12-05T10:00:00Z'));
  t.equal(parseLocalDateTime('2026-12-05T10:00:00.250z', 'Asia/Seoul', 'startsAt'), at('2026-12-05T10:00:00.250Z'));
  t.equal(parseLocalDateTime('2026-12-05T19:00+0900', 'Asia/Seoul', 'startsAt'), at('2026-12-05T10:00:00Z'));
  t.equal(parseLocalDateTime(' 2026-12-05 19:00 ', 'Asia/Seoul', 'startsAt'), at('2026-12-05T10:00:00Z'), 'a space for T, and blanks around');
});

t.test('what is not a date and time is refused on its field', async (t) => {
  for (const bad of ['', 'tomorrow', '2026-12-05', '2026-12-05T7pm', '05/12/2026 19:00', '2026-12-05T19:00+9']) {
    refusal(t, () => parseLocalDateTime(bad, 'Asia/Seoul', 'endsAt'), 'endsAt', /Use a date and time such as/);
  }
  for (const bad of ['2026-02-29T10:00', '2026-13-01T10:00', '2026-12-05T24:00', '2026-12-05T19:60', '2026-04-31T10:00+09:00', '2026-12-05T19:00+25', '2026-12-05T19:00+09:75']) {
    refusal(t, () => parseLocalDateTime(bad, 'Asia/Seoul', 'endsAt'), 'endsAt', /is not a real date and time/);
  }
  t.equal(parseLocalDateTime('2028-02-29T10:00', 'Asia/Seoul', 'endsAt'), at('2028-02-29T01:00:00Z'), 'a leap day');
});

t.test('time zones: IANA names, spelled canonically; anything else refused', async (t) => {
  t.equal(canonicalZone('asia/seoul'), 'Asia/Seoul');
  t.equal(canonicalZone('America/Regina'), 'America/Regina');
  t.equal(canonicalZone('Asia/Kolkata'), 'Asia/Kolkata', 'an alias keeps its name');
  t.equal(canonicalZone('utc'), 'UTC');
  t.equal(canonicalZone(' Europe/Kyiv '), 'Europe/Kyiv');
  for (const bad of ['', 'Mars/Olympus', '+09:00', 'KST', 'Asia/Seoul; drop table']) t.equal(canonicalZone(bad), null, JSON.stringify(bad));
  t.equal(requireZone('america/vancouver'), 'America/Vancouver');
  refusal(t, () => requireZone('Mars/Olympus'), 'timezone', /Unknown time zone "Mars\/Olympus": use an IANA name such as Asia\/Seoul/);
});

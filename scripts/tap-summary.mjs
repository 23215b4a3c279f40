// Passes tap's output through and ends it with "N passed, N failed", read from
// tap's final "# { total: N, pass: N, fail: N }" comment.
import { createInterface } from 'node:readline';

let summary = null;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  process.stdout.write(`${line}\n`);
  const m = /^# \{ total: (\d+)(.*)\}$/.exec(line.trim());
  if (m) summary = { total: Number(m[1]), rest: m[2] };
}
if (summary) {
  const count = (name) => Number(new RegExp(`${name}: (\\d+)`).exec(summary.rest)?.[1] ?? 0);
  const skipped = count('skip') + count('todo');
  console.log(`${count('pass')} passed, ${count('fail')} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

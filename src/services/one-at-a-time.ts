// Runs work for the same key one after another in this process. A money
// action that calls a payment provider between reading and writing (a refund)
// cannot hold a transaction across the call; queuing the actions on one
// record makes the second see what the first did before it asks the provider.
const tails = new Map<string, Promise<unknown>>();

export async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    // The last one out leaves no entry behind.
    if (tails.get(key) === tail) tails.delete(key);
  }
}

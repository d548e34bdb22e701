// The seed of the property-based fuzz suites (handler/test/fuzz.test.ts, test/local/fuzz.test.ts).

/**
 * CI replays one fixed sequence, so whether a change lands never depends on the draw. `FUZZ_SEED=N` (an integer)
 * replays a reported failure (fast-check prints the seed with its counterexample); `FUZZ_SEED=random` explores new
 * inputs. Anything else is refused: fast-check would quietly turn it into seed 0.
 */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.FUZZ_SEED;
  if (given === undefined) return 20261202;
  if (given === 'random') return Date.now() % 2 ** 31;
  const seed = Number(given);
  if (given.trim() === '' || !Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random"; got ${JSON.stringify(given)}`);
  return seed;
}

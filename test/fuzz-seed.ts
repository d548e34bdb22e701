// The seed of the property-based fuzz suites (handler/test/fuzz.test.ts, test/local/fuzz.test.ts).

/**
 * CI replays one fixed sequence, so whether a change lands never depends on the draw. `FUZZ_SEED=N` replays a
 * reported failure (fast-check prints the seed with its counterexample); `FUZZ_SEED=random` explores new inputs.
 */
export function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  return given === 'random' ? Date.now() % 2 ** 31 : Number(given ?? 20261202);
}

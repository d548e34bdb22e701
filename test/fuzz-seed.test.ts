import { fuzzSeed } from './fuzz-seed';

describe('fuzzSeed', () => {
  test('replays the fixed seed without FUZZ_SEED, and a given integer with it', () => {
    expect(fuzzSeed({})).toBe(20261202);
    expect(fuzzSeed({ FUZZ_SEED: '883629936' })).toBe(883629936);
    expect(fuzzSeed({ FUZZ_SEED: '-7' })).toBe(-7);
  });

  test('FUZZ_SEED=random draws a fresh 31-bit seed', () => {
    const seed = fuzzSeed({ FUZZ_SEED: 'random' });
    expect(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
  });

  test.each(['Random', 'abc', '', ' ', '1.5', '1e30'])('refuses FUZZ_SEED=%j instead of letting fast-check turn it into seed 0', (value) => {
    expect(() => fuzzSeed({ FUZZ_SEED: value })).toThrow(`FUZZ_SEED must be an integer or "random"; got ${JSON.stringify(value)}`);
  });
});

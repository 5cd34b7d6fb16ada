import { describe, expect, it } from 'vitest';
import { ratioInterval, t95 } from '../src/ratio-interval.js';

describe('t95', () => {
  it('gives the tabled quantiles and approaches the normal one', () => {
    expect(t95(1)).toBe(12.706);
    expect(t95(9)).toBe(2.262);
    expect(t95(30)).toBe(2.042);
    // Beyond the table: t(40) = 2.021, t(120) = 1.980.
    expect(t95(40)).toBeCloseTo(2.021, 2);
    expect(t95(120)).toBeCloseTo(1.98, 2);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s degrees of freedom', (df) => {
    expect(() => t95(df)).toThrow(RangeError);
  });
});

describe('ratioInterval', () => {
  it('is the geometric mean, with an interval from t on the logarithms', () => {
    const result = ratioInterval([2, 0.5, 2, 0.5]);
    expect(result.ratio).toBeCloseTo(1, 12);
    // logs ±ln 2, sample sd = ln 2 · √(4/3), half-width = t(3) · sd / 2.
    const half = (3.182 * Math.LN2 * Math.sqrt(4 / 3)) / 2;
    expect(result.low).toBeCloseTo(Math.exp(-half), 12);
    expect(result.high).toBeCloseTo(Math.exp(half), 12);
    expect(result.count).toBe(4);
  });

  it('has no width when every pair gave the same ratio', () => {
    expect(ratioInterval([1.1, 1.1, 1.1])).toEqual({ ratio: expect.closeTo(1.1, 12) as number, low: expect.closeTo(1.1, 12) as number, high: expect.closeTo(1.1, 12) as number, count: 3 });
  });

  it('narrows as pairs are added with the same spread', () => {
    const few = ratioInterval([0.98, 1.02, 0.99, 1.01]);
    const many = ratioInterval(Array.from({ length: 8 }, () => [0.98, 1.02, 0.99, 1.01]).flat());
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
  });

  it('refuses fewer than two ratios, and ratios that are not positive finite numbers', () => {
    expect(() => ratioInterval([1])).toThrow(/at least 2/);
    expect(() => ratioInterval([1, 0])).toThrow(/positive finite/);
    expect(() => ratioInterval([1, Number.NaN])).toThrow(/positive finite/);
    expect(() => ratioInterval([1, Number.POSITIVE_INFINITY])).toThrow(/positive finite/);
  });
});

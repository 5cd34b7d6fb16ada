import { describe, expect, it } from 'vitest';
import { sliceArea } from './slice-area.js';

const rect = (x: number, y: number, width: number): string => `<rect class="step" x="${String(x)}" y="${String(y)}" width="${String(width)}" height="20" fill="#2f6fdf">`;

describe('sliceArea (the screenshot test measures pixels against it)', () => {
  it('counts whole pixels once where rectangles of one row overlap, and rows apart', () => {
    const html = [rect(10, 5, 10), rect(15, 5, 10), rect(40.5, 5, 2), rect(10, 35, 4), '<rect x="0" y="5" width="900" height="20"/>'].join('\n');
    // Row 5: [10, 25) is 15 px and [41, 42) is 1 px; row 35: 4 px; the row background is not a step.
    expect(sliceArea(html)).toEqual({ rects: 4, rows: 2, pixels: (15 + 1 + 4) * 20 });
  });

  it('counts a rectangle narrower than one whole pixel as a step with no whole pixel', () => {
    expect(sliceArea(rect(3.2, 5, 0.5))).toEqual({ rects: 1, rows: 0, pixels: 0 });
  });
});

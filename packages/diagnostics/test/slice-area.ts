/**
 * Whole pixels the timeline's step rectangles cover, counted once where rectangles
 * overlap. Edges at fractional x are anti-aliased into other colours, so a rectangle
 * is counted from its first whole pixel to its last.
 */
export function sliceArea(html: string): { rects: number; rows: number; pixels: number } {
  const spans = new Map<number, [number, number][]>();
  let rects = 0;
  for (const m of html.matchAll(/<rect class="step" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    const [x, y, w, h] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    rects++;
    const from = Math.ceil(x);
    const to = Math.floor(x + w);
    const key = y * 1000 + h;
    if (to > from) {
      const list = spans.get(key) ?? [];
      list.push([from, to]);
      spans.set(key, list);
    }
  }
  let pixels = 0;
  for (const [key, list] of spans) {
    const height = key % 1000;
    list.sort((a, b) => a[0] - b[0]);
    let end = -Infinity;
    for (const [from, to] of list) {
      const start = Math.max(from, end);
      if (to > start) pixels += (to - start) * height;
      end = Math.max(end, to);
    }
  }
  return { rects, rows: spans.size, pixels };
}

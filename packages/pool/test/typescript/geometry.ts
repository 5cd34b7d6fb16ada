// A TypeScript module a task module imports (by its .js name, as TypeScript's NodeNext resolution writes it).
export interface Point {
  readonly x: number;
  readonly y: number;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

// Small text helpers shared by the exports and the detectors' messages.

/** Milliseconds as a short human figure. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

/** Escapes text for HTML and SVG (task names are user input). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

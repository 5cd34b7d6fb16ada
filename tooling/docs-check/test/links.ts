// Links in Markdown, and the anchors GitHub makes for headings, for the link check.

/** One link or image target in a document, with its line. */
export interface Link {
  readonly target: string;
  readonly line: number;
}

/** Every `[text](target)` and `![alt](target)` outside code blocks and inline code. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  let inFence = false;
  markdown.split('\n').forEach((text, at) => {
    if (text.startsWith('```')) inFence = !inFence;
    if (inFence) return;
    const prose = text.replace(/`+[^`]*`+/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ target: match[1] ?? '', line: at + 1 });
  });
  return links;
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading of a document (outside code blocks). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const text of markdown.split('\n')) {
    if (text.startsWith('```')) inFence = !inFence;
    const heading = inFence ? undefined : /^#{1,6}\s+(.*)$/.exec(text)?.[1];
    if (heading !== undefined) anchors.add(anchorOf(heading));
  }
  return anchors;
}

import type { Spawnable } from '../contract/body.js';
import { isTaskReference } from '../contract/task-reference.js';

/** How a body is named in events: `generator fib`, `async load`, `state-machine GetNumbers`, `ref …#fib`. */
export function describeBody(body: Spawnable): string {
  // One string per body (per class, for state machines), not one per spawn: a recorder
  // keeps the description of every task it sees, and shared strings cost it nothing.
  const ctor: unknown = typeof body === 'function' || isTaskReference(body) ? body : (body as { constructor?: unknown }).constructor;
  const key: object = typeof ctor === 'function' || (typeof ctor === 'object' && ctor !== null) ? ctor : body;
  let description = descriptions.get(key);
  if (description === undefined) {
    description = describeAfresh(body);
    descriptions.set(key, description);
  }
  return description;
}

/** Descriptions already made, by body (function or reference) or state machine class. */
const descriptions = new WeakMap<object, string>();

function describeAfresh(body: Spawnable): string {
  if (isTaskReference(body)) return `ref ${body.module}#${body.export}`;
  if (typeof body === 'function') {
    const kind = (body as { constructor?: { name?: unknown } }).constructor?.name;
    const prefix = kind === 'GeneratorFunction' ? 'generator' : kind === 'AsyncFunction' ? 'async' : 'function';
    return `${prefix} ${body.name || '(anonymous)'}`;
  }
  const ctor = (body as { constructor?: { name?: unknown } }).constructor?.name;
  return `state-machine ${typeof ctor === 'string' && ctor !== 'Object' ? ctor : '(object)'}`;
}

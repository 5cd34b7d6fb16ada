// The interpreter for the property-based tests of executors that run task references: runs
// one node of a random program wherever the executor runs it (a worker thread, or a worker
// in this process) and reports what it did on a BroadcastChannel. Plain JavaScript, loaded
// by reference.
import { taskRef } from '@spindle/core';

const here = import.meta.url;
export const reportsChannel = 'spindle-reference-property-reports';
let channel;

function report(message) {
  if (channel === undefined) {
    channel = new BroadcastChannel(reportsChannel);
    channel.unref();
  }
  channel.postMessage(message);
}

/**
 * Runs `node.ops`: `yield`, `spawn` (joined or detached), `join` (catch or rethrow),
 * `cancel` (a spawned child, with a string reason) and `throw` (an Error or a string).
 * Returns `path`. Reports `start`, `join` outcomes, its own completion and `finally`.
 */
export function* interpret(ctx, node, path) {
  report({ kind: 'start', path });
  const handles = new Map();
  let threwOwn = false;
  try {
    for (const op of node.ops) {
      if (op.op === 'yield') {
        yield ctx.yield();
      } else if (op.op === 'spawn') {
        const child = ctx.spawn(taskRef(here, 'interpret'), [node.children[op.child], `${path}.${op.child}`]);
        handles.set(op.child, op.joined ? ctx.join(child) : child);
      } else if (op.op === 'join') {
        const handle = handles.get(op.child);
        if (handle === undefined) continue;
        try {
          yield handle;
        } catch (error) {
          report({ kind: 'joined-error', path, child: `${path}.${op.child}`, message: error instanceof Error ? error.message : String(error), name: error instanceof Error ? error.name : typeof error });
          if (op.rethrow) throw error;
        }
      } else if (op.op === 'cancel') {
        handles.get(op.child)?.cancel(`cancel ${path}.${op.child} by ${path}`);
      } else if (op.op === 'throw') {
        const error = op.nonError ? `thrown by ${path}` : new Error(`thrown by ${path}`);
        report({ kind: 'complete', path, how: 'throw', own: true, message: `thrown by ${path}` });
        threwOwn = true;
        throw error;
      }
    }
    report({ kind: 'complete', path, how: 'return' });
    return path;
  } catch (error) {
    if (!threwOwn) report({ kind: 'complete', path, how: 'throw', own: false, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    report({ kind: 'finally', path });
  }
}

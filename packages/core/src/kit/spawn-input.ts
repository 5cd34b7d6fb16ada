import type { SpawnOptions } from '../contract/body.js';
import type { ExecutorCapabilities } from '../contract/capabilities.js';
import { assertCloneable } from './cloneable.js';
import { InvalidTaskError, describeValue } from '../contract/errors.js';
import { isTaskReference } from '../contract/task-reference.js';

/**
 * Checks what a `spawn` call was given, so bad input fails at the call that made it with
 * a typed error, before anything is accepted. Every executor calls this first.
 *
 * @returns the arguments as an array (an omitted `args` becomes `[]`)
 */
export function validateSpawn(
  body: unknown,
  args: unknown,
  options: unknown,
  capabilities: ExecutorCapabilities,
): readonly unknown[] {
  const reference = isTaskReference(body);
  if (!reference) {
    if (typeof body === 'function') {
      const kind = bodyKind(body);
      if (kind === 'AsyncGeneratorFunction') {
        throw new InvalidTaskError(
          'not-a-body',
          `${describeValue(body)} is an async generator function; use an async function or a generator function`,
        );
      }
    } else if (!isStateMachine(body)) {
      throw new InvalidTaskError(
        'not-a-body',
        `spawn expects a function, a state machine (an object with next()) or a task reference, got ${describeValue(body)}`,
      );
    } else if (isGeneratorObject(body)) {
      throw new InvalidTaskError('not-a-body', 'spawn was given a generator object: pass the generator function itself');
    }
    if (!capabilities.closures) {
      throw new InvalidTaskError(
        'not-a-body',
        `the ${capabilities.name} executor runs task references only (taskRef(import.meta.url, 'name')), got ${describeValue(body)}`,
      );
    }
  }
  let list: readonly unknown[];
  if (args === undefined) list = [];
  else if (Array.isArray(args)) list = args;
  else throw new InvalidTaskError('invalid-options', `spawn arguments must be an array, got ${describeValue(args)}`);
  validateOptions(options);
  if (reference || capabilities.clonesArguments) assertCloneable(list);
  return list;
}

/** This realm's constructors of the body kinds spawn takes, told apart without reading `name` (a native getter) on every spawn. */
const GeneratorFunction: unknown = (Object.getPrototypeOf(function* () {
  /* only its constructor is used */
}) as { constructor: unknown }).constructor;
const AsyncFunction: unknown = (Object.getPrototypeOf(async function () {
  /* only its constructor is used */
}) as { constructor: unknown }).constructor;

/** The name of a function's constructor (`AsyncGeneratorFunction`, ...); the name also tells kinds made in another realm. */
function bodyKind(body: object): unknown {
  const constructor = (body as { constructor?: { name?: unknown } }).constructor;
  if (constructor === GeneratorFunction) return 'GeneratorFunction';
  if (constructor === AsyncFunction) return 'AsyncFunction';
  if (constructor === Function) return 'Function';
  return constructor?.name;
}

function validateOptions(options: unknown): asserts options is SpawnOptions | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidTaskError('invalid-options', `spawn options must be an object, got ${describeValue(options)}`);
  }
  const { signal, name, priority } = options as { signal?: unknown; name?: unknown; priority?: unknown };
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidTaskError('invalid-options', `options.signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new InvalidTaskError('invalid-options', `options.name must be a string, got ${describeValue(name)}`);
  }
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) {
    throw new InvalidTaskError('invalid-options', `options.priority must be a finite number, got ${describeValue(priority)}`);
  }
}

function isStateMachine(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { next?: unknown }).next === 'function';
}

function isGeneratorObject(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Generator]';
}

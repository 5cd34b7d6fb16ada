import { describe, expect, it } from 'vitest';
import { redirectCoreImports } from '../src/builds/executor-copies.js';

const entries = new Map([
  ['@spindle/core', 'index.js'],
  ['@spindle/core/kit', 'kit.js'],
  ['@spindle/core/events', 'events.js'],
]);

describe('redirectCoreImports', () => {
  it("sends imports of core's entry points to the build's files beside the copy, and keeps Node's own", () => {
    const source = [
      '// src/executor.ts',
      'import { ExecutorClosedError } from "@spindle/core";',
      "import { ExecutorShell } from '@spindle/core/kit';",
      'import { subscribeTaskEventStream } from "@spindle/core/events";',
      'import { setImmediate } from "node:timers";',
      'const later = () => import("@spindle/core/kit");',
      'export { ExecutorShell };',
      '//# sourceMappingURL=index.js.map',
    ].join('\n');
    expect(redirectCoreImports(source, entries, '@spindle/x')).toBe(
      [
        '// src/executor.ts',
        'import { ExecutorClosedError } from "./index.js";',
        "import { ExecutorShell } from './kit.js';",
        'import { subscribeTaskEventStream } from "./events.js";',
        'import { setImmediate } from "node:timers";',
        'const later = () => import("./kit.js");',
        'export { ExecutorShell };',
        '',
      ].join('\n'),
    );
  });

  it('refuses a build that imports anything else, which its copy could not resolve', () => {
    expect(() => redirectCoreImports('import { x } from "@spindle/core/internal";', entries, '@spindle/x')).toThrow(
      /@spindle\/x's build imports "@spindle\/core\/internal"/,
    );
    expect(() => redirectCoreImports('import { queue } from "./chunk-1.js";', entries, '@spindle/x')).toThrow(/imports "\.\/chunk-1\.js"/);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { UserProject, runNode } from './user-project.js';

describe('watcher.ready() at the top level of a fresh script', () => {
  const project = new UserProject();
  afterAll(() => {
    project.remove();
  });

  // The watchdog's worker and timer are unref'd: before ready() held the process, nothing
  // kept it alive during this await and Node ended it with exit code 13, printing nothing.
  it('keeps the process alive until the watchdog is online, then lets it end by itself', async () => {
    const script = project.addJavaScript(
      'watch-ready.mjs',
      `import { watch } from '@spindle/diagnostics';

const watcher = watch({ blockedLoopMs: 200, onFinding: (finding) => console.warn(finding.message) });
await watcher.ready();
console.log('watching');
`,
    );
    // No stop(): once online the watchdog must not keep the process alive either.
    const result = await runNode(script, project.dir);
    expect(result).toEqual({ code: 0, stdout: 'watching\n', stderr: '' });
  });
});

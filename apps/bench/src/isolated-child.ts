import { RESULT_PREFIX, measureAlone } from './isolated.js';
import type { IsolatedRequest } from './isolated.js';
import { suites } from './suites/index.js';

// A child process of `--isolate`: measures the one subject its argument names and prints
// the result on one line; stdout may carry other lines, stderr the errors.
try {
  const request = JSON.parse(process.argv[2] ?? '') as IsolatedRequest;
  const result = await measureAlone(request, suites);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
} catch (error) {
  console.error(error instanceof Error ? `bench (isolated): ${error.stack ?? error.message}` : error);
  process.exitCode = 1;
}

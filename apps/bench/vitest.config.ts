import { spindleProject } from '@spindle/vitest-config';

// The trampoline suite's `recursion/depth-10000` case runs native async, co and Effection
// 10,000 calls deep, where they overflow Node's default stack (the bench reports that).
// Here, where only their checksums are checked, a deeper stack lets them finish: an
// overflow deep inside async functions makes V8 print "Exception in PromiseRejectCallback"
// and a stack trace from a passing test. 4,000 KiB stays well inside the 8 MiB the OS
// gives the main thread.
export default spindleProject('bench', { execArgv: ['--stack-size=4000'] });

// workerpool's worker script for the `pool` suite: the same bodies as `tasks.mjs`,
// registered under their names (workerpool calls them with the `exec` argument list).
import workerpool from 'workerpool';
import { fib, inc, spin } from './tasks.mjs';

workerpool.worker({ inc, spin, fib });

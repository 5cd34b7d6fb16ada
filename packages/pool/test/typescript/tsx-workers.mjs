// The worker preload the README documents for TypeScript task modules on Node 20: Node 20
// loads no TypeScript by itself, and `--import tsx` registers tsx's loader on the main
// thread only, so each worker registers it here (ES modules and CommonJS alike).
import { register } from 'tsx/esm/api';
import { register as registerCommonJs } from 'tsx/cjs/api';

register();
registerCommonJs();

#!/usr/bin/env node
// The `spindle-bullmq-worker` command (see src/bin.ts). This file is committed, not built, so
// that installing the package links a command that exists before the build does.
import '../dist/bin.js';

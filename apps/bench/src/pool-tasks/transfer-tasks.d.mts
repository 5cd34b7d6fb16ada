// Types for `transfer-tasks.mjs` (plain JavaScript, so that workers load it without a build step).
import type { TaskContext } from '@spindle/core';

export function markCopied(buffer: ArrayBuffer): ArrayBuffer;
export function markMoved(buffer: ArrayBuffer): unknown;
export function spindleMarkCopied(ctx: TaskContext, buffer: ArrayBuffer): ArrayBuffer;
export function spindleMarkMoved(ctx: TaskContext, buffer: ArrayBuffer): ArrayBuffer;

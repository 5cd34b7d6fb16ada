// Types for `tasks.mjs` (plain JavaScript, so that workers load it without a build step).
import type { TaskContext } from '@spindle/core';

export function inc(n: number): number;
export function spin(iterations: number, seed: number): number;
export function spinTask(args: readonly [iterations: number, seed: number]): number;
export function fib(n: number): number;
export function spindleInc(ctx: TaskContext, n: number): number;
export function spindleSpin(ctx: TaskContext, iterations: number, seed: number): number;
export function spindleFib(ctx: TaskContext, n: number, threshold: number): Generator<unknown, number, unknown>;

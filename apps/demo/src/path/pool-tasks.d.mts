// Types for `pool-tasks.mjs` (plain JavaScript, so that workers load it without a build step).
import type { TaskContext, TaskReference } from '@spindle/core';

export function crunch(ctx: TaskContext, iterations: number, seed: number): number;
export const crunchRef: TaskReference<[iterations: number, seed: number], number>;
export function costOf(index: number, unit: number): number;
export function spread(ctx: TaskContext, tasks: number, unit: number): Generator<unknown, number, unknown>;
export const spreadRef: TaskReference<[tasks: number, unit: number], number>;

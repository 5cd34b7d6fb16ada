import { InvalidOptionsError } from '@spindle/core';

/** Checks a threshold option at the call that gave it. */
export function checkThreshold(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(name, `${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

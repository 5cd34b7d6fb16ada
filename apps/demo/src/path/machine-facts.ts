import { availableParallelism, cpus, loadavg } from 'node:os';

/** One line about where the demo ran: times mean little without it. */
export function machineFacts(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  return `Node ${process.version} on ${process.platform}/${process.arch}, ${String(availableParallelism())} cores (${model}), load average ${load}, ${new Date().toISOString()}`;
}

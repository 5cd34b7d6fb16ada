import diagnosticsChannel from 'node:diagnostics_channel';
import { threadId } from 'node:worker_threads';
import { channelNames } from '../contract/lifecycle-events.js';

export { eventTime } from './event-clock.js';

/** The channels themselves; check `hasSubscribers` before building a payload. */
export const channels = {
  spawn: diagnosticsChannel.channel(channelNames.spawn),
  start: diagnosticsChannel.channel(channelNames.start),
  suspend: diagnosticsChannel.channel(channelNames.suspend),
  wake: diagnosticsChannel.channel(channelNames.wake),
  resume: diagnosticsChannel.channel(channelNames.resume),
  steal: diagnosticsChannel.channel(channelNames.steal),
  settle: diagnosticsChannel.channel(channelNames.settle),
} as const;

/** The thread id stamped on events published from this thread. */
export const currentThread: number = threadId;

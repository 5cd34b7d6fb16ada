import { describe, expect, it } from 'vitest';
import { EventSwitchError, STEPPING_MODULES, checkEventSwitch, eventCodeInKit } from '../src/builds/event-code-scan.js';

/** A bundle as esbuild writes one: each module's code after a comment naming it. */
const bundle = (...modules: readonly (readonly [module: string, code: string])[]): Map<string, string> =>
  new Map([['kit.js', modules.map(([module, code]) => `// ${module}\n${code}\n`).join('\n')]]);

const stepEvents = `var StepEvents = class {
  eventLog;
  listening = Listening.Nobody;
  constructor(label) {
    this.label = label, this.eventLog = new TaskEventLog(label);
  }
  publishStep(task, first) {
    batchChannel.hasSubscribers && this.eventLog.step(first ? TaskEventCode.Start : TaskEventCode.Resume, task.id);
  }
};`;

describe('eventCodeInKit', () => {
  it('finds nothing in a kit whose event code is only in its event-only members, its field declared and assigned', () => {
    const files = bundle(['src/kit/step-events.ts', stepEvents], ['src/kit/harness.ts', 'var Harness = class extends StepEvents {\n  stepHere(task) {\n    task.state = "running";\n  }\n};']);
    expect(eventCodeInKit(files)).toEqual([]);
  });

  it('finds each use of event code outside those members, with its module and member', () => {
    const harness = `var Harness = class extends StepEvents {
  stepHere(task, first) {
    this.listening > Listening.Batch && this.publishStep(task, first);
    this.listening === Listening.Nobody || this.eventLog.stepped(1, task.id);
  }
};
function spawnHere(shell, task) {
  publishSpawn(shell.label, shell.eventLog, task.id);
}`;
    const found = eventCodeInKit(bundle(['src/kit/step-events.ts', stepEvents], ['src/kit/harness.ts', harness]));
    expect(found).toEqual([
      { module: 'src/kit/harness.ts', member: 'Harness.stepHere', name: 'Listening.Batch' },
      { module: 'src/kit/harness.ts', member: 'Harness.stepHere', name: 'publishStep' },
      { module: 'src/kit/harness.ts', member: 'Harness.stepHere', name: 'eventLog' },
      { module: 'src/kit/harness.ts', member: 'spawnHere', name: 'publishSpawn' },
      { module: 'src/kit/harness.ts', member: 'spawnHere', name: 'eventLog' },
    ]);
  });

  it('skips dead code as tsup writes a constant condition: if (false), if (true) … else, false && …, after a return that always runs', () => {
    const harness = `var Harness = class extends StepEvents {
  stepHere(task, first) {
    if (false) this.publishStep(task, first);
    if (true) task.state = "running";
    else this.eventLog.stepped(1, task.id);
    const quiet = false && this.openEventWindow() === Listening.Nobody;
    const who = true ? Listening.Nobody : Listening.Batch;
    if (task.ready) {
      if (true) {
        this.step(task);
        return;
      }
      this.stepWokenListened(task);
      return;
    }
    if (false) {
      this.publishWake(task);
    } else {
      this.schedule(task);
    }
  }
};`;
    expect(eventCodeInKit(bundle(['src/kit/step-events.ts', stepEvents], ['src/kit/harness.ts', harness]))).toEqual([]);
  });

  it('still sees event code under a condition that is not constant, or after a return that may not run', () => {
    const harness = `var Harness = class extends StepEvents {
  stepHere(task) {
    if (task.ready) {
      if (task.quiet) {
        return;
      }
      this.publishWake(task);
    }
    if (false) return;
    this.eventLog.between();
  }
};`;
    expect(eventCodeInKit(bundle(['src/kit/harness.ts', harness])).map((reference) => reference.name)).toEqual(['publishWake', 'eventLog']);
  });

  it('looks only at the kit: the events modules are the event machinery', () => {
    const files = bundle(['src/events/event-stream.ts', 'function publishTaskEvent(event) {\n  channels.spawn.hasSubscribers && batchChannel.publish(event);\n}']);
    expect(eventCodeInKit(files)).toEqual([]);
  });

  it('counts code esbuild names no module for as no module of the kit', () => {
    expect(eventCodeInKit(new Map([['kit.js', 'this.eventLog.stepped(1, 2);']]))).toEqual([]);
  });
});

describe('checkEventSwitch', () => {
  const withEvents = bundle(
    ...STEPPING_MODULES.map((module, index): [string, string] => [module, `var C${String(index)} = class {\n  step(task) {\n    this.eventLog.stepped(1, task.id);\n  }\n};`]),
  );
  const withoutEvents = bundle(...STEPPING_MODULES.map((module, index): [string, string] => [module, `var C${String(index)} = class {\n  step(task) {\n  }\n};`]));

  it('accepts a build with event code in every stepping module and one with none', () => {
    expect(() => {
      checkEventSwitch(withEvents, withoutEvents);
    }).not.toThrow();
  });

  it('refuses a build without events that has event code left, naming where', () => {
    expect(() => {
      checkEventSwitch(withEvents, withEvents);
    }).toThrow(EventSwitchError);
    expect(() => {
      checkEventSwitch(withEvents, withEvents);
    }).toThrow(/__SPINDLE_EVENTS__ false still has event code in its kit: eventLog in C0\.step \(src\/kit\/harness\.ts\)/);
  });

  it('refuses a build with events in which it sees none, so that two equal builds are never compared', () => {
    expect(() => {
      checkEventSwitch(withoutEvents, withoutEvents);
    }).toThrow(/__SPINDLE_EVENTS__ true shows no event code in src\/kit\/harness\.ts, src\/kit\/sliced-harness\.ts, src\/kit\/executor-shell\.ts, src\/kit\/task\.ts/);
  });
});

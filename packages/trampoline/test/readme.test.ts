import { expect, it } from 'vitest';
import { TrampolineExecutor, all, operation, sleep, until } from '../src/index.js';

// The example of the repository README's trampoline section, as written there.
it('runs the README example', async () => {
  const getNumber = operation(function* getNumber(n: number) {
    yield* sleep(1); // cancellable; the timer is cleared
    return yield* until(Promise.resolve(n * 2)); // typed await
  });

  const executor = new TrampolineExecutor();
  const total = await executor.run(
    operation(function* main() {
      const one = yield* getNumber(1); // one: number
      const [two, three] = yield* all([getNumber(2), getNumber(3)]); // concurrent, typed tuple
      return one + two + three;
    })(),
  );
  await executor.close();
  expect(total).toBe(12);
});

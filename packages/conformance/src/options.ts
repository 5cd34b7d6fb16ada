import type { ExecutorCapabilities } from '@spindle/core';

/** How big the scale tests are; see {@link ConformanceOptions.scale}. */
export interface ConformanceScale {
  /** Tasks in the "many tasks" tests. Default 100,000. */
  readonly tasks?: number;
  /** Steps of the one long task in the "many steps" tests. Default 1,000,000. */
  readonly steps?: number;
}

/** Options of {@link describeExecutorConformance}. */
export interface ConformanceOptions {
  /**
   * URL (or absolute `file:` URL string) of an ES module whose default export is a
   * function that returns a new executor, the same as the factory you pass in. It is
   * needed by the test that an idle executor does not keep the process alive: that test
   * starts a fresh `node` process which imports this module. The module must be plain
   * JavaScript that Node loads as is (import your built package from it). Without it,
   * that test is not declared.
   */
  readonly factoryModule?: string | URL;
  /**
   * URL of the fixtures module whose exports the suite spawns by task reference.
   * Default: the one this package ships next to its entry point (`dist/fixtures.js`,
   * or `dist/fixtures.cjs` when loaded through `require`). Override it only if you
   * re-bundle the package.
   */
  readonly fixturesModule?: string | URL;
  /**
   * The capabilities the suite holds the executor to. Default: `capabilities` of an
   * executor made by the factory while the suite is declared (it is closed at once).
   */
  readonly capabilities?: ExecutorCapabilities;
  /** Sizes of the scale tests; lower them only to keep a meta-test quick. */
  readonly scale?: ConformanceScale;
  /** Timeout of each ordinary test in milliseconds (it detects hangs, it times nothing). Default 10,000. */
  readonly testTimeout?: number;
  /** Timeout of each scale test in milliseconds. Default 120,000. */
  readonly scaleTimeout?: number;
  /** How long the idle child process may take to exit on its own, in milliseconds. Default 20,000. */
  readonly idleExitTimeout?: number;
  /**
   * Timeout of each test in which a worker dies (executors that declare `losesWorkers`
   * only), in milliseconds: it covers the executor noticing the dead worker and recovering
   * its tasks. Default 120,000.
   */
  readonly crashTimeout?: number;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly factoryModule: string | undefined;
  readonly fixturesModule: string;
  readonly capabilities: ExecutorCapabilities;
  readonly tasks: number;
  readonly steps: number;
  readonly testTimeout: number;
  readonly scaleTimeout: number;
  readonly idleExitTimeout: number;
  readonly crashTimeout: number;
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new TypeError(`conformance option ${what} must be a positive integer, got ${String(value)}`);
  return value;
}

function urlString(value: string | URL | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const href = typeof value === 'string' ? value : value.href;
  try {
    new URL(href);
  } catch {
    throw new TypeError(`conformance option ${what} must be an absolute URL (use pathToFileURL or import.meta.resolve), got ${href}`);
  }
  return href;
}

/** Checks the options and fills in defaults. */
export function resolveOptions(
  options: ConformanceOptions | undefined,
  defaults: { readonly fixturesModule: string; readonly capabilities: () => ExecutorCapabilities },
): ResolvedOptions {
  return {
    factoryModule: urlString(options?.factoryModule, 'factoryModule'),
    fixturesModule: urlString(options?.fixturesModule, 'fixturesModule') ?? defaults.fixturesModule,
    capabilities: options?.capabilities ?? defaults.capabilities(),
    tasks: positiveInteger(options?.scale?.tasks, 100_000, 'scale.tasks'),
    steps: positiveInteger(options?.scale?.steps, 1_000_000, 'scale.steps'),
    testTimeout: positiveInteger(options?.testTimeout, 10_000, 'testTimeout'),
    scaleTimeout: positiveInteger(options?.scaleTimeout, 120_000, 'scaleTimeout'),
    idleExitTimeout: positiveInteger(options?.idleExitTimeout, 20_000, 'idleExitTimeout'),
    crashTimeout: positiveInteger(options?.crashTimeout, 120_000, 'crashTimeout'),
  };
}

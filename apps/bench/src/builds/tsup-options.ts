/** A tsup options object, as read from core's tsup config (the bench does not depend on tsup's types). */
export type TsupOptions = Readonly<Record<string, unknown>>;

/** The formats a tsup config item builds. */
function formatsOf(item: TsupOptions): unknown[] {
  const format = item.format;
  return Array.isArray(format) ? format : [format];
}

/**
 * The item of core's tsup config (its default export: one options object or an array of
 * them) that builds its ES modules: the build executors' ES modules import.
 * @throws Error when there is not exactly one, or it defines no `__SPINDLE_EVENTS__`
 */
export function esmConfigItem(config: unknown): TsupOptions {
  const items = (Array.isArray(config) ? config : [config]) as unknown[];
  const esm = items.filter((item): item is TsupOptions => typeof item === 'object' && item !== null && formatsOf(item as TsupOptions).includes('esm'));
  const [item] = esm;
  if (esm.length !== 1 || item === undefined) throw new Error(`@spindle/bench: core's tsup config has ${String(esm.length)} ES module builds; the idle-cost builds expect one`);
  const define = item.define;
  if (typeof define !== 'object' || define === null || !('__SPINDLE_EVENTS__' in define)) {
    throw new Error("@spindle/bench: core's tsup config defines no __SPINDLE_EVENTS__: the idle-cost builds switch event code with it");
  }
  return item;
}

/**
 * The options of one idle-cost build of core: its own tsup config's ES module item as it
 * is, but for `__SPINDLE_EVENTS__` (`events`), where it goes (`outDir`), and three that
 * change no JavaScript it writes: no type declarations, no log, and no config file read
 * (these options are the whole config).
 */
export function esmBuildOptions(config: unknown, events: boolean, outDir: string): TsupOptions {
  const item = esmConfigItem(config);
  return { ...item, define: { ...(item.define as Record<string, string>), __SPINDLE_EVENTS__: String(events) }, outDir, dts: false, silent: true, config: false };
}

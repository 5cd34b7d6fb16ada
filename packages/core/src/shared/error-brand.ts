/**
 * Error classes that keep their identity across copies of a package loaded twice in one
 * process (its ES module and CommonJS builds), and that the boundary codec can revive by
 * name on the far side of a thread or process.
 *
 * `instanceof` on a class branded here asks whether the value carries the class's brand (a
 * registered symbol on the class's prototype), not whether it descends from this copy's
 * prototype: an error made by the other copy of the class answers `true`. Subclasses that
 * are not branded themselves (a user's `class MyError extends SpindleError`) keep the
 * ordinary prototype check.
 */

/** The static property of a branded class that holds its brand. */
const classBrand = Symbol.for('@spindle/core:class-brand');

/** Branded classes by name, shared by every copy of core on this thread, for the codec. */
const classesKey = Symbol.for('@spindle/core:error-classes@1');
const registry = globalThis as unknown as Record<symbol, Map<string, ErrorClass> | undefined>;
const classes: Map<string, ErrorClass> = (registry[classesKey] ??= new Map<string, ErrorClass>());

/** A branded error class: something `new` makes an `Error` with. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Brands `cls` under `name`, a name unique across packages (`@spindle/core:TaskCancelledError`).
 * Call once, right after the class is declared. The codec revives errors whose class has
 * this name with `cls`'s prototype.
 */
export function brandErrorClass(cls: ErrorClass, name: string): void {
  const brand = Symbol.for(name);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, classBrand, { value: brand });
  if (!classes.has(name)) classes.set(name, cls);
}

/** The brand name of the class of `error`, if its class (or an ancestor) is branded. */
export function errorBrandName(error: object): string | undefined {
  const ctor: unknown = error.constructor;
  for (let c: unknown = ctor; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, classBrand)) {
      const brand = (c as unknown as Record<symbol, symbol>)[classBrand];
      return brand?.description;
    }
  }
  return undefined;
}

/** The class branded `name`, if any copy of a package on this thread branded one. */
export function brandedErrorClass(name: string): ErrorClass | undefined {
  return classes.get(name);
}

/** `Symbol.hasInstance` for branded classes (see the module comment). */
export function hasBrandedInstance(cls: object, value: unknown): boolean {
  if (Object.hasOwn(cls, classBrand)) {
    const brand = (cls as Record<symbol, symbol>)[classBrand];
    return brand !== undefined && (typeof value === 'object' || typeof value === 'function') && value !== null && brand in value;
  }
  return Function.prototype[Symbol.hasInstance].call(cls, value);
}

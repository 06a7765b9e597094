/**
 * Plain-object maps keyed by data (category names, brand names, item ids) must not confuse a
 * key such as `constructor` or `__proto__` with Object.prototype: these helpers only ever see
 * the object's own properties.
 */

/** The value stored under `key` in `record`, ignoring inherited properties. */
export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Stores `value` under `key` as an own, enumerable property (even for `__proto__`). */
export function setOwnValue<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

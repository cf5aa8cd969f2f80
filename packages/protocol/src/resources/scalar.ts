// Scalars are fixed-point with three decimal places, as in Mesos (src/common/values.cpp): a value
// is held as an integer number of thousandths, so that 0.1 + 0.2 is exactly 0.3, and summing the
// cpus of ten thousand agents, then subtracting them again, gives back exactly zero. Integer
// thousandths stay exact in a double up to 2^53 / 1000, about 9 * 10^12 units.

/** Thousandths per unit. */
export const SCALAR_SCALE = 1000;

/** The largest scalar that survives the conversion exactly. */
export const MAX_SCALAR = Math.floor(Number.MAX_SAFE_INTEGER / SCALAR_SCALE);

/**
 * A wire value in thousandths, rounded to the nearest (as Mesos's `llround(value * 1000)`), so
 * 1.5123 cpus means 1.512 cpus. The caller has checked the value is finite.
 */
export function toMilli(value: number): number {
  return Math.round(value * SCALAR_SCALE);
}

/** Thousandths back to a wire value: a plain number that prints with at most three decimals. */
export function fromMilli(milli: number): number {
  return milli / SCALAR_SCALE;
}

/**
 * Why `value` cannot be a resource quantity, or `undefined`. Mesos rejects negatives, and
 * non-zero values too small to be represented (they would silently become zero).
 */
export function scalarError(value: number): string | undefined {
  if (!Number.isFinite(value)) return `scalar ${value} is not a finite number`;
  if (value < 0) return `scalar ${value} is negative`;
  if (value > MAX_SCALAR) return `scalar ${value} is larger than ${MAX_SCALAR}`;
  if (value !== 0 && toMilli(value) === 0) return `scalar ${value} is below the precision of 0.001`;
  return undefined;
}

import { GfrError } from '../errors';

/**
 * Two inputs that must describe the same rows have different lengths. `argument` is the input
 * that disagrees, `expected` the length of the first input of the call.
 */
export class ArrayInputLengthError extends GfrError {
  constructor(
    readonly caller: string,
    readonly argument: string,
    readonly expected: number,
    readonly actual: number,
    referenceArgument: string,
  ) {
    super(
      'ARRAY_INPUT_LENGTH_MISMATCH',
      `${caller}: ${argument} has ${actual} entries but ${referenceArgument} has ${expected}`,
    );
  }
}

/**
 * One entry of an array input is unusable: not finite, a label other than 0 or 1, a
 * probability outside [0, 1], a negative weight. The message names argument, index and value.
 */
export class ArrayInputValueError extends GfrError {
  constructor(
    readonly caller: string,
    readonly argument: string,
    readonly index: number,
    readonly value: unknown,
    expectation: string,
  ) {
    super(
      'ARRAY_INPUT_INVALID_VALUE',
      `${caller}: ${argument}[${index}] is ${String(value)}; ${expectation}`,
    );
  }
}

/** An option of a metric (k, bin count, weighting, ...) is out of its allowed range. */
export class MetricOptionError extends GfrError {
  constructor(
    readonly caller: string,
    readonly option: string,
    readonly value: unknown,
    expectation: string,
  ) {
    super('METRIC_INVALID_OPTION', `${caller}: ${option} is ${String(value)}; ${expectation}`);
  }
}

/** Throws {@link ArrayInputLengthError} unless `values` has `expected` entries. */
export function requireLength(
  caller: string,
  argument: string,
  values: ArrayLike<unknown>,
  expected: number,
  referenceArgument: string,
): void {
  if (values.length !== expected) {
    throw new ArrayInputLengthError(caller, argument, expected, values.length, referenceArgument);
  }
}

/** Throws {@link ArrayInputValueError} at the first entry that is not exactly 0 or 1. */
export function requireBinaryLabels(caller: string, argument: string, labels: ArrayLike<number>) {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 0 && label !== 1) {
      throw new ArrayInputValueError(caller, argument, i, label, 'labels must be 0 or 1');
    }
  }
}

/** Throws {@link ArrayInputValueError} at the first entry that is not a finite number. */
export function requireFinite(caller: string, argument: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ArrayInputValueError(caller, argument, i, value, 'expected a finite number');
    }
  }
}

/** Throws {@link ArrayInputValueError} at the first entry outside [0, 1] or not a number. */
export function requireProbabilities(
  caller: string,
  argument: string,
  values: ArrayLike<number>,
): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // Written so that NaN fails too: every comparison with NaN is false.
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new ArrayInputValueError(
        caller,
        argument,
        i,
        value,
        'expected a probability in [0, 1]',
      );
    }
  }
}

/** Throws {@link ArrayInputValueError} at the first weight that is negative or not finite. */
export function requireWeights(caller: string, argument: string, weights: ArrayLike<number>) {
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new ArrayInputValueError(
        caller,
        argument,
        i,
        weight,
        'weights must be finite and non-negative',
      );
    }
  }
}

/**
 * Validates the usual (labels, values, weights?) triple of a binary metric and returns the row
 * count. `valueKind` says whether the values are free scores or probabilities.
 */
export function validateBinaryInputs(
  caller: string,
  labels: ArrayLike<number>,
  values: ArrayLike<number>,
  valueArgument: 'scores' | 'probabilities',
  weights?: ArrayLike<number>,
): number {
  const rows = labels.length;
  requireLength(caller, valueArgument, values, rows, 'labels');
  if (weights !== undefined) requireLength(caller, 'weights', weights, rows, 'labels');

  requireBinaryLabels(caller, 'labels', labels);
  if (valueArgument === 'probabilities') requireProbabilities(caller, valueArgument, values);
  else requireFinite(caller, valueArgument, values);
  if (weights !== undefined) requireWeights(caller, 'weights', weights);
  return rows;
}

/** Throws {@link MetricOptionError} unless `value` is an integer of at least `minimum`. */
export function requireIntegerOption(
  caller: string,
  option: string,
  value: number,
  minimum: number,
): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new MetricOptionError(caller, option, value, `expected an integer >= ${minimum}`);
  }
}

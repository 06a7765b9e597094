import { CalibrationArgumentError, CalibrationMapFormatError } from './errors';

/**
 * Calibrated probabilities are kept in [eps, 1 − eps] with eps = 1e-6: an exact 0 would zero
 * a blended score (pCTR · pCVR · price) and make log loss infinite, and a pCTR below one in a
 * million orders nothing that matters in a feed.
 */
export const calibrationEpsilon = 1e-6;

/**
 * Raw probabilities are clipped to [1e-12, 1 − 1e-12] before Platt's logit, so that a model's
 * exact 0 or 1 maps to a finite input; fitting and applying clip alike.
 */
export const logitInputEpsilon = 1e-12;

/**
 * Monotone piecewise-linear map fitted by isotonic regression: `values[i]` at `thresholds[i]`,
 * linear in between, constant outside [thresholds[0], thresholds[last]] (scikit-learn's
 * `IsotonicRegression(out_of_bounds='clip')`). Thresholds strictly increase; values never
 * decrease and lie in [{@link calibrationEpsilon}, 1 − calibrationEpsilon].
 */
export interface IsotonicCalibration {
  kind: 'isotonic';
  thresholds: number[];
  values: number[];
}

/** Platt scaling on the logit: p' = σ(slope · logit(p) + intercept). */
export interface PlattCalibration {
  kind: 'platt';
  slope: number;
  intercept: number;
}

/** A fitted, JSON-serializable calibration map from a raw model probability to a calibrated one. */
export type CalibrationMap = IsotonicCalibration | PlattCalibration;

/** Natural log-odds of a probability, clipped by {@link logitInputEpsilon}. */
export function clippedLogit(probability: number): number {
  const clipped = Math.min(Math.max(probability, logitInputEpsilon), 1 - logitInputEpsilon);
  return Math.log(clipped) - Math.log1p(-clipped);
}

/** The logistic function 1 / (1 + e^−z), computed without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const exponential = Math.exp(z);
  return exponential / (1 + exponential);
}

function clipCalibrated(probability: number): number {
  return Math.min(Math.max(probability, calibrationEpsilon), 1 - calibrationEpsilon);
}

function applyIsotonic(map: IsotonicCalibration, score: number): number {
  const { thresholds, values } = map;
  const last = thresholds.length - 1;
  if (score <= thresholds[0]) return values[0];
  if (score >= thresholds[last]) return values[last];

  // Largest i with thresholds[i] <= score; thresholds[last] > score guarantees i < last.
  let low = 0;
  let high = last;
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (thresholds[middle] <= score) low = middle;
    else high = middle;
  }
  const share = (score - thresholds[low]) / (thresholds[low + 1] - thresholds[low]);
  return values[low] + share * (values[low + 1] - values[low]);
}

function calibrateOne(map: CalibrationMap, probability: number, caller: string): number {
  if (map.kind === 'isotonic') {
    if (typeof probability !== 'number' || !Number.isFinite(probability)) {
      throw new CalibrationArgumentError(
        caller,
        'probability',
        probability,
        'expected a finite score',
      );
    }
    return clipCalibrated(applyIsotonic(map, probability));
  }

  if (!(probability >= 0 && probability <= 1)) {
    throw new CalibrationArgumentError(
      caller,
      'probability',
      probability,
      'Platt calibration takes a raw probability in [0, 1]',
    );
  }
  return clipCalibrated(sigmoid(map.slope * clippedLogit(probability) + map.intercept));
}

/**
 * Calibrated probability of one raw model output, in [{@link calibrationEpsilon},
 * 1 − calibrationEpsilon]. An isotonic map takes any finite score (it was fitted on whatever
 * scale its scores had); a Platt map takes a probability in [0, 1]. Anything else throws
 * {@link CalibrationArgumentError}.
 */
export function applyCalibration(map: CalibrationMap, probability: number): number {
  return calibrateOne(map, probability, 'applyCalibration');
}

/** {@link applyCalibration} of every entry, as a new array. */
export function applyCalibrationToAll(
  map: CalibrationMap,
  probabilities: ArrayLike<number>,
): Float64Array {
  const calibrated = new Float64Array(probabilities.length);
  for (let row = 0; row < calibrated.length; row++) {
    calibrated[row] = calibrateOne(map, probabilities[row], 'applyCalibrationToAll');
  }
  return calibrated;
}

function finiteNumberAt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CalibrationMapFormatError(
      field,
      `is ${JSON.stringify(value)}; expected a finite number`,
    );
  }
  return value;
}

function numberArrayAt(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new CalibrationMapFormatError(field, 'must be a non-empty array of numbers');
  }
  return value.map((entry, index) => finiteNumberAt(entry, `${field}[${index}]`));
}

function isotonicFromJson(object: Record<string, unknown>): IsotonicCalibration {
  const thresholds = numberArrayAt(object.thresholds, 'thresholds');
  const values = numberArrayAt(object.values, 'values');
  if (values.length !== thresholds.length) {
    throw new CalibrationMapFormatError(
      'values',
      `has ${values.length} entries but thresholds has ${thresholds.length}`,
    );
  }

  for (let i = 0; i < values.length; i++) {
    if (i > 0 && !(thresholds[i] > thresholds[i - 1])) {
      throw new CalibrationMapFormatError(
        `thresholds[${i}]`,
        `is ${thresholds[i]}, not above thresholds[${i - 1}] = ${thresholds[i - 1]}`,
      );
    }
    if (!(values[i] >= 0 && values[i] <= 1)) {
      throw new CalibrationMapFormatError(
        `values[${i}]`,
        `is ${values[i]}; expected a probability in [0, 1]`,
      );
    }
    if (i > 0 && values[i] < values[i - 1]) {
      throw new CalibrationMapFormatError(
        `values[${i}]`,
        `is ${values[i]}, below values[${i - 1}] = ${values[i - 1]}; an isotonic map never decreases`,
      );
    }
  }
  return { kind: 'isotonic', thresholds, values };
}

/**
 * Reads a calibration map from parsed JSON, checking its shape: `kind` is `isotonic` (non-empty,
 * equally long `thresholds` strictly increasing and `values` non-decreasing in [0, 1]) or `platt`
 * (finite `slope` and `intercept`). Throws {@link CalibrationMapFormatError} naming the field.
 */
export function calibrationFromJson(value: unknown): CalibrationMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CalibrationMapFormatError(
      '(root)',
      `is ${JSON.stringify(value)}; expected an object`,
    );
  }

  const object = value as Record<string, unknown>;
  if (object.kind === 'isotonic') return isotonicFromJson(object);
  if (object.kind === 'platt') {
    return {
      kind: 'platt',
      slope: finiteNumberAt(object.slope, 'slope'),
      intercept: finiteNumberAt(object.intercept, 'intercept'),
    };
  }
  throw new CalibrationMapFormatError(
    'kind',
    `is ${JSON.stringify(object.kind)}; expected "isotonic" or "platt"`,
  );
}

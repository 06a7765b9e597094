/**
 * The promotion gate: a candidate model reaches traffic only when it is at least as good as the
 * champion on ranking quality (AUC) and probability quality (log loss), within tolerances, and
 * its probabilities are calibrated. Every check yields a reason, passed or failed, so a rejection
 * says what to fix and an acceptance says by how much it won.
 */
import { ModelMetricsInvalidError } from './errors';

/** The held-out metrics of one head that the gate reads. */
export interface HeadMetrics {
  auc: number | null;
  logloss: number | null;
  /** Expected calibration error. */
  ece: number | null;
  /** Σ predictions / Σ labels. */
  calibration_ratio: number | null;
  rows: number;
}

/** The test metrics of a model's heads; `cvr` is null for a model without a purchase head. */
export interface ModelMetrics {
  source: string;
  ctr: HeadMetrics;
  cvr: HeadMetrics | null;
}

/** The gate's tolerances; every field has a default. */
export interface GateSettings {
  /** How much lower the candidate's AUC may be, absolute (default 0.005). */
  aucTolerance: number;
  /** How much higher the candidate's log loss may be, relative to the champion's (default 0.01). */
  logLossTolerance: number;
  /** Largest expected calibration error of the candidate (default 0.02). */
  maxCalibrationError: number;
  /** Calibration ratio bounds Σ p / Σ y of the candidate (default 0.8–1.25). */
  calibrationRatioRange: readonly [number, number];
  /**
   * Fewest test rows to judge a head's calibration (default 1,000): the calibration error of a
   * few dozen rows is mostly noise, so below this the checks pass and say they were not judged.
   */
  minimumCalibrationRows: number;
}

/** Default gate settings. */
export const defaultGateSettings: GateSettings = {
  aucTolerance: 0.005,
  logLossTolerance: 0.01,
  maxCalibrationError: 0.02,
  calibrationRatioRange: [0.8, 1.25],
  minimumCalibrationRows: 1000,
};

/** One check of the gate. */
export interface GateCheck {
  head: 'ctr' | 'cvr';
  check: 'auc' | 'logloss' | 'calibration_error' | 'calibration_ratio' | 'head_present';
  passed: boolean;
  candidate: number | null;
  /** The champion's value, or the bound the candidate is held to. */
  reference: number | null;
  reason: string;
}

/** The gate's verdict. */
export interface GateDecision {
  accepted: boolean;
  /** The failed checks' reasons when rejected, all reasons when accepted. */
  reasons: string[];
  checks: GateCheck[];
  settings: GateSettings;
}

/**
 * Gates `candidate` against `champion` (null when nothing serves yet: only calibration is
 * checked). Heads the champion has must be in the candidate; a head the champion lacks is
 * checked for calibration only.
 */
export function gateCandidate(
  candidate: ModelMetrics,
  champion: ModelMetrics | null,
  settings: GateSettings = defaultGateSettings,
): GateDecision {
  const checks: GateCheck[] = [];
  for (const head of ['ctr', 'cvr'] as const) {
    const mine = candidate[head];
    const theirs = champion?.[head] ?? null;
    if (!mine) {
      if (theirs) {
        checks.push({
          head,
          check: 'head_present',
          passed: false,
          candidate: null,
          reference: null,
          reason: `${head}: the champion has this head and the candidate has none`,
        });
      }
      continue;
    }
    if (theirs)
      checks.push(
        compareAuc(head, mine, theirs, settings),
        compareLogLoss(head, mine, theirs, settings),
      );
    checks.push(...checkCalibration(head, mine, settings));
  }
  const failed = checks.filter((check) => !check.passed);
  return {
    accepted: failed.length === 0,
    reasons: (failed.length > 0 ? failed : checks).map((check) => check.reason),
    checks,
    settings,
  };
}

function compareAuc(
  head: 'ctr' | 'cvr',
  candidate: HeadMetrics,
  champion: HeadMetrics,
  settings: GateSettings,
): GateCheck {
  const base = { head, check: 'auc' as const, candidate: candidate.auc, reference: champion.auc };
  if (candidate.auc === null || champion.auc === null) {
    return { ...base, passed: false, reason: `${head}: AUC is undefined (${describePair(base)})` };
  }
  const delta = candidate.auc - champion.auc;
  const passed = delta >= -settings.aucTolerance;
  return {
    ...base,
    passed,
    reason:
      `${head}: AUC ${fixed(candidate.auc)} vs champion ${fixed(champion.auc)} ` +
      `(${signed(delta)}; ${passed ? 'within' : 'beyond'} the tolerance of ` +
      `${fixed(settings.aucTolerance)})`,
  };
}

function compareLogLoss(
  head: 'ctr' | 'cvr',
  candidate: HeadMetrics,
  champion: HeadMetrics,
  settings: GateSettings,
): GateCheck {
  const base = {
    head,
    check: 'logloss' as const,
    candidate: candidate.logloss,
    reference: champion.logloss,
  };
  if (candidate.logloss === null || champion.logloss === null) {
    return {
      ...base,
      passed: false,
      reason: `${head}: log loss is undefined (${describePair(base)})`,
    };
  }
  const relative = champion.logloss > 0 ? candidate.logloss / champion.logloss - 1 : 0;
  const passed = candidate.logloss <= champion.logloss * (1 + settings.logLossTolerance);
  return {
    ...base,
    passed,
    reason:
      `${head}: log loss ${fixed(candidate.logloss)} vs champion ${fixed(champion.logloss)} ` +
      `(${signed(relative * 100, 2)} %; ${passed ? 'within' : 'beyond'} the tolerance of ` +
      `${(settings.logLossTolerance * 100).toFixed(2)} %)`,
  };
}

function checkCalibration(
  head: 'ctr' | 'cvr',
  candidate: HeadMetrics,
  settings: GateSettings,
): GateCheck[] {
  const [low, high] = settings.calibrationRatioRange;
  if (candidate.rows < settings.minimumCalibrationRows) {
    return [
      {
        head,
        check: 'calibration_error',
        passed: true,
        candidate: candidate.ece,
        reference: settings.maxCalibrationError,
        reason:
          `${head}: calibration not judged on ${candidate.rows} test rows ` +
          `(fewer than ${settings.minimumCalibrationRows})`,
      },
    ];
  }
  const ece = candidate.ece;
  const ratio = candidate.calibration_ratio;
  const ecePassed = ece !== null && ece <= settings.maxCalibrationError;
  const ratioPassed = ratio !== null && ratio >= low && ratio <= high;
  return [
    {
      head,
      check: 'calibration_error',
      passed: ecePassed,
      candidate: ece,
      reference: settings.maxCalibrationError,
      reason:
        ece === null
          ? `${head}: calibration error is undefined`
          : `${head}: calibration error ${fixed(ece)} ${ecePassed ? 'within' : 'above'} ` +
            `the bound ${fixed(settings.maxCalibrationError)}`,
    },
    {
      head,
      check: 'calibration_ratio',
      passed: ratioPassed,
      candidate: ratio,
      reference: ratio !== null && ratio < low ? low : high,
      reason:
        ratio === null
          ? `${head}: calibration ratio is undefined`
          : `${head}: calibration ratio ${ratio.toFixed(3)} ${ratioPassed ? 'within' : 'outside'} ` +
            `${low}–${high}`,
    },
  ];
}

/**
 * Reads the gate's metrics from a `report.json` (`models.<head>.test`) or an artifact manifest
 * (`metrics.<head>.test`). Throws {@link ModelMetricsInvalidError} naming the missing field.
 */
export function modelMetricsFromDocument(document: unknown, source: string): ModelMetrics {
  const root = asObject(document);
  const heads = asObject(root?.models) ?? asObject(root?.metrics);
  if (!heads) {
    throw new ModelMetricsInvalidError(
      source,
      'has neither `models` (report.json) nor `metrics` (manifest)',
    );
  }
  const head = (name: 'ctr' | 'cvr'): HeadMetrics | null => {
    const entry = asObject(heads[name]);
    if (!entry) return null;
    const test = asObject(entry.test);
    if (!test) throw new ModelMetricsInvalidError(source, `${name}.test is missing`);
    const metric = (key: string): number | null => {
      const value = test[key];
      if (value === null || value === undefined) return null;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ModelMetricsInvalidError(
          source,
          `${name}.test.${key} is ${JSON.stringify(value)}, not a number`,
        );
      }
      return value;
    };
    return {
      auc: metric('auc'),
      logloss: metric('logloss'),
      ece: metric('ece'),
      calibration_ratio: metric('calibration_ratio'),
      rows: metric('rows') ?? 0,
    };
  };
  const ctr = head('ctr');
  if (!ctr) throw new ModelMetricsInvalidError(source, 'has no ctr head');
  return { source, ctr, cvr: head('cvr') };
}

function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function describePair(check: { candidate: number | null; reference: number | null }): string {
  return `candidate ${check.candidate ?? 'none'}, champion ${check.reference ?? 'none'}`;
}

function fixed(value: number): string {
  return value.toFixed(4);
}

function signed(value: number, digits = 4): string {
  return (value >= 0 ? '+' : '') + value.toFixed(digits);
}

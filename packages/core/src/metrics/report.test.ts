import { prAuc } from './average-precision';
import { expectedCalibrationError } from './calibration-error';
import { groupAuc } from './group-auc';
import { binaryClassificationReport } from './report';
import { rocAuc } from './roc-auc';
import { brierScore, logLoss, normalizedEntropy } from './scoring-rules';
import { MetricOptionError } from './validation';

const labels = [0, 0, 1, 1, 0, 1, 0, 0];
const probabilities = [0.1, 0.4, 0.35, 0.8, 0.2, 0.6, 0.6, 0.05];
const users = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c'];

test('the report holds every metric under its snake_case key, equal to the single metrics', () => {
  const report = binaryClassificationReport(labels, probabilities, users);

  expect(Object.keys(report).sort()).toEqual(
    [
      'auc',
      'pr_auc',
      'logloss',
      'ne',
      'brier',
      'gauc',
      'gauc_weighting',
      'ece',
      'calibration_ratio',
      'positives',
      'rows',
    ].sort(),
  );
  expect(report.auc).toBe(rocAuc(labels, probabilities));
  expect(report.pr_auc).toBe(prAuc(labels, probabilities));
  expect(report.logloss).toBe(logLoss(labels, probabilities));
  expect(report.ne).toBe(normalizedEntropy(labels, probabilities));
  expect(report.brier).toBe(brierScore(labels, probabilities));
  expect(report.gauc).toBe(groupAuc(labels, probabilities, users).value);
  expect(report.gauc_weighting).toBe('impressions');
  expect(report.ece).toBe(expectedCalibrationError(labels, probabilities));
  // Σp = 3.1 over 3 positives.
  expect(report.calibration_ratio).toBeCloseTo(3.1 / 3, 14);
  expect(report.positives).toBe(3);
  expect(report.rows).toBe(8);
  // User a: positives 0.35, 0.8 vs negatives 0.1, 0.4 → 3 of 4 pairs; user b: 0.6 vs 0.2
  // (win) and 0.6 (tie) → ¾; user c skipped. Impression-weighted: (4·¾ + 3·¾) / 7.
  expect(report.gauc).toBeCloseTo(0.75, 15);
});

test('undefined metrics are null, as they would be in JSON', () => {
  const report = binaryClassificationReport([0, 0], [0.1, 0.2]);
  expect(report).toMatchObject({
    auc: null,
    pr_auc: null,
    ne: null,
    gauc: null,
    gauc_weighting: null,
    calibration_ratio: null,
    positives: 0,
    rows: 2,
  });
  expect(report.logloss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 15);
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
});

test('GAUC weighting and ECE bins are configurable and stated', () => {
  const report = binaryClassificationReport(labels, probabilities, users, {
    gaucWeighting: 'uniform',
    calibrationBins: { bins: 2, binning: 'equal-width' },
  });
  expect(report.gauc_weighting).toBe('uniform');
  expect(report.ece).toBe(
    expectedCalibrationError(labels, probabilities, { bins: 2, binning: 'equal-width' }),
  );
  expect(() =>
    binaryClassificationReport(labels, probabilities, users, { gaucWeighting: 'x' as never }),
  ).toThrow(MetricOptionError);
  expect(() => binaryClassificationReport(labels, probabilities, ['a'])).toThrow(
    'binaryClassificationReport: groups has 1 entries but labels has 8',
  );
});

import { ModelMetricsInvalidError } from './errors';
import {
  HeadMetrics,
  ModelMetrics,
  defaultGateSettings,
  gateCandidate,
  modelMetricsFromDocument,
} from './promotion-gate';

const head = (overrides: Partial<HeadMetrics> = {}): HeadMetrics => ({
  auc: 0.75,
  logloss: 0.3,
  ece: 0.01,
  calibration_ratio: 1.02,
  rows: 10_000,
  ...overrides,
});
const model = (source: string, ctr: Partial<HeadMetrics>, cvr: Partial<HeadMetrics> | null = {}) =>
  ({ source, ctr: head(ctr), cvr: cvr === null ? null : head(cvr) }) satisfies ModelMetrics;

describe('gateCandidate', () => {
  test('accepts a better candidate and says by how much it won', () => {
    const decision = gateCandidate(
      model('candidate', { auc: 0.76, logloss: 0.29 }),
      model('champion', { auc: 0.75, logloss: 0.3 }),
    );

    expect(decision.accepted).toBe(true);
    expect(decision.reasons).toContain(
      'ctr: AUC 0.7600 vs champion 0.7500 (+0.0100; within the tolerance of 0.0050)',
    );
    expect(decision.reasons).toContain(
      'ctr: log loss 0.2900 vs champion 0.3000 (-3.33 %; within the tolerance of 1.00 %)',
    );
  });

  test('rejects a worse candidate with the reasons that failed only', () => {
    const decision = gateCandidate(
      model('candidate', { auc: 0.74, logloss: 0.31 }),
      model('champion', { auc: 0.75, logloss: 0.3 }),
    );

    expect(decision.accepted).toBe(false);
    expect(decision.reasons).toEqual([
      'ctr: AUC 0.7400 vs champion 0.7500 (-0.0100; beyond the tolerance of 0.0050)',
      'ctr: log loss 0.3100 vs champion 0.3000 (+3.33 %; beyond the tolerance of 1.00 %)',
    ]);
  });

  test('a candidate slightly worse within the tolerances passes', () => {
    const decision = gateCandidate(
      model('candidate', { auc: 0.747, logloss: 0.3027 }),
      model('champion', { auc: 0.75, logloss: 0.3 }),
    );

    expect(decision.accepted).toBe(true);
  });

  test('rejects a miscalibrated candidate even when it ranks better', () => {
    const decision = gateCandidate(
      model('candidate', { auc: 0.8 }, { ece: 0.05, calibration_ratio: 1.4 }),
      model('champion', {}),
    );

    expect(decision.accepted).toBe(false);
    expect(decision.reasons).toEqual([
      'cvr: calibration error 0.0500 above the bound 0.0200',
      'cvr: calibration ratio 1.400 outside 0.8–1.25',
    ]);
  });

  test('calibration of a head with few test rows is shown as not judged', () => {
    const decision = gateCandidate(
      model('candidate', {}, { ece: 0.1, calibration_ratio: 1.6, rows: 75 }),
      model('champion', {}),
    );

    expect(decision.accepted).toBe(true);
    expect(decision.reasons).toContain(
      'cvr: calibration not judged on 75 test rows (fewer than 1000)',
    );
  });

  test('rejects a candidate that lost a head the champion has', () => {
    const decision = gateCandidate(model('candidate', {}, null), model('champion', {}));

    expect(decision.accepted).toBe(false);
    expect(decision.reasons).toEqual([
      'cvr: the champion has this head and the candidate has none',
    ]);
  });

  test('with no champion only calibration is checked', () => {
    const decision = gateCandidate(model('candidate', { auc: 0.51 }), null);

    expect(decision.accepted).toBe(true);
    expect(decision.checks.map((check) => check.check)).toEqual([
      'calibration_error',
      'calibration_ratio',
      'calibration_error',
      'calibration_ratio',
    ]);
  });

  test('an undefined AUC is a rejection, not a pass', () => {
    const decision = gateCandidate(model('candidate', { auc: null }), model('champion', {}));

    expect(decision.accepted).toBe(false);
    expect(decision.reasons[0]).toMatch(/^ctr: AUC is undefined/);
    expect(decision.settings).toBe(defaultGateSettings);
  });
});

describe('modelMetricsFromDocument', () => {
  const test_ = { auc: 0.7, logloss: 0.4, ece: 0.01, calibration_ratio: 1, rows: 5, positives: 1 };

  test('reads report.json and manifest layouts alike', () => {
    const fromReport = modelMetricsFromDocument({ models: { ctr: { test: test_ } } }, 'report');
    const fromManifest = modelMetricsFromDocument(
      { metrics: { ctr: { test: test_ }, cvr: { test: { ...test_, auc: null } } } },
      'manifest',
    );

    expect(fromReport).toEqual({
      source: 'report',
      ctr: { auc: 0.7, logloss: 0.4, ece: 0.01, calibration_ratio: 1, rows: 5 },
      cvr: null,
    });
    expect(fromManifest.cvr?.auc).toBeNull();
  });

  test('names the field that is not a number', () => {
    expect(() =>
      modelMetricsFromDocument({ models: { ctr: { test: { ...test_, auc: 'high' } } } }, 'x.json'),
    ).toThrow(new ModelMetricsInvalidError('x.json', 'ctr.test.auc is "high", not a number'));
  });
});

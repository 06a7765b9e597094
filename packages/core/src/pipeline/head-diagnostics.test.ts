import { expectedCalibrationError, rocAuc } from '../metrics';
import { SeededRandom } from '../random';
import { headDiagnostics, unloggedChannel } from './head-diagnostics';

const random = new SeededRandom(11);
const rows = 5_000;
const channelNames = ['exploit', 'explore', null] as const;
const labels = new Float64Array(rows);
const model = new Float64Array(rows);
const popularity = new Float64Array(rows);
const channels: (string | null)[] = [];
for (let row = 0; row < rows; row++) {
  labels[row] = random.next() < 0.2 ? 1 : 0;
  model[row] = Math.min(1, 0.1 + 0.3 * labels[row] + 0.5 * random.next());
  popularity[row] = random.next();
  channels.push(channelNames[row % 3]);
}

const diagnostics = headDiagnostics({
  labels,
  channels,
  model,
  baselines: { popularity },
  importance: {
    gain: { a: 2, b: 10 },
    total_gain: { a: 40, b: 30 },
    weight: { a: 20, b: 3 },
  },
});

test('curves and reliability bins are given for the model and every baseline', () => {
  expect(Object.keys(diagnostics.roc)).toEqual(['model', 'popularity']);
  expect(Object.keys(diagnostics.precision_recall)).toEqual(['model', 'popularity']);
  expect(diagnostics.reliability.model).toHaveLength(15);

  const roc = diagnostics.roc.model;
  let area = 0;
  for (let index = 1; index < roc.length; index++) {
    area += ((roc[index].fpr - roc[index - 1].fpr) * (roc[index].tpr + roc[index - 1].tpr)) / 2;
  }
  expect(area).toBeCloseTo(rocAuc(labels, model), 2);

  const rowsInBins = diagnostics.reliability.model.reduce((sum, bin) => sum + bin.rows, 0);
  const ece = diagnostics.reliability.model.reduce(
    (sum, bin) => sum + (bin.rows / rowsInBins) * Math.abs(bin.observed_rate - bin.mean_prediction),
    0,
  );
  expect(rowsInBins).toBe(rows);
  expect(ece).toBeCloseTo(expectedCalibrationError(labels, model), 4);
});

test('the score histogram counts every row once, by label', () => {
  const positives = diagnostics.score_histogram.reduce((sum, bin) => sum + bin.positives, 0);
  const negatives = diagnostics.score_histogram.reduce((sum, bin) => sum + bin.negatives, 0);

  expect(positives).toBe(labels.reduce((sum, label) => sum + label, 0));
  expect(positives + negatives).toBe(rows);
});

test('feature importance is sorted by total gain and keeps every kind', () => {
  expect(diagnostics.feature_importance).toEqual([
    { feature: 'a', gain: 2, total_gain: 40, weight: 20 },
    { feature: 'b', gain: 10, total_gain: 30, weight: 3 },
  ]);
});

test('metrics per channel cover every row, unlogged channels included', () => {
  const names = diagnostics.channels.map((channel) => channel.channel).sort();
  expect(names).toEqual(['exploit', 'explore', unloggedChannel].sort());

  const exploitRows = channels.flatMap((channel, row) => (channel === 'exploit' ? [row] : []));
  const exploit = diagnostics.channels.find((channel) => channel.channel === 'exploit')!;
  expect(exploit.model.rows).toBe(exploitRows.length);
  expect(exploit.model.auc).toBeCloseTo(
    rocAuc(
      exploitRows.map((row) => labels[row]),
      exploitRows.map((row) => model[row]),
    ),
    12,
  );
  expect(exploit.baseline_auc.popularity).toBeCloseTo(
    rocAuc(
      exploitRows.map((row) => labels[row]),
      exploitRows.map((row) => popularity[row]),
    ),
    12,
  );
});

import { prAuc } from './average-precision';
import { rocAuc } from './roc-auc';
import { brierScore, logLoss } from './scoring-rules';

// A small sample with tied scores, fractional and zero weights. The expected figures were
// computed once with scikit-learn 1.2.1 (roc_auc_score, average_precision_score,
// log_loss(eps=1e-15), brier_score_loss, each with and without sample_weight) and are
// pasted here as reference values.
const labels = [0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0];
const scores = [
  0.1, 0.8, 0.3, 0.3, 0.3, 0.65, 0.2, 0.9, 0.65, 0.05, 0.4, 0.4, 0.55, 0.75, 0.3, 0.15, 0.8, 0.5,
  0.6, 0.25,
];
const weights = [1, 2, 1, 0.5, 1, 3, 1, 1, 2, 1, 1, 1, 0, 1, 2, 1, 1, 1, 1, 4];

test.each([
  ['rocAuc', rocAuc(labels, scores), 0.7760416666666666],
  ['rocAuc weighted', rocAuc(labels, scores, weights), 0.8117816091954023],
  ['prAuc', prAuc(labels, scores), 0.6762175324675325],
  ['prAuc weighted', prAuc(labels, scores, weights), 0.7263396513396514],
  ['logLoss', logLoss(labels, scores), 0.5543559904235692],
  ['logLoss weighted', logLoss(labels, scores, weights), 0.5400688743382385],
  ['brierScore', brierScore(labels, scores), 0.191375],
  ['brierScore weighted', brierScore(labels, scores, weights), 0.18358490566037736],
])('%s matches scikit-learn', (_name, value, reference) => {
  expect(value).toBeCloseTo(reference, 14);
});

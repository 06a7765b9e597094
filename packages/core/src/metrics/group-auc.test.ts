import { groupAuc } from './group-auc';
import { rocAuc } from './roc-auc';
import { ArrayInputValueError, MetricOptionError } from './validation';

// User a: one positive at 0.9 against negatives 0.2, 0.95, 0.5 → AUC 2/3 over 4 rows.
// User b: positives 0.3, 0.2 against negative 0.1 → AUC 1 over 3 rows.
// User c has only negatives and user d only a positive: both skipped.
const rows = [
  { user: 'a', label: 1, score: 0.9 },
  { user: 'b', label: 1, score: 0.3 },
  { user: 'a', label: 0, score: 0.2 },
  { user: 'c', label: 0, score: 0.4 },
  { user: 'a', label: 0, score: 0.95 },
  { user: 'b', label: 1, score: 0.2 },
  { user: 'd', label: 1, score: 0.6 },
  { user: 'a', label: 0, score: 0.5 },
  { user: 'b', label: 0, score: 0.1 },
  { user: 'c', label: 0, score: 0.7 },
];
const labels = rows.map((row) => row.label);
const scores = rows.map((row) => row.score);
const users = rows.map((row) => row.user);

test('impression weighting (the default, DIN) weights each user AUC by its rows', () => {
  const result = groupAuc(labels, scores, users);
  expect(result.weighting).toBe('impressions');
  expect(result.value).toBeCloseTo((4 * (2 / 3) + 3 * 1) / 7, 15);
  expect(result.groupsUsed).toBe(2);
  expect(result.groupsSkipped).toBe(2);
});

test('click weighting weights by positives and uniform weighting is the plain mean', () => {
  expect(groupAuc(labels, scores, users, 'clicks').value).toBeCloseTo(
    (1 * (2 / 3) + 2 * 1) / 3,
    15,
  );
  expect(groupAuc(labels, scores, users, 'uniform').value).toBeCloseTo((2 / 3 + 1) / 2, 15);
});

test('each user AUC equals the AUC of that user alone, whatever the row order', () => {
  const order = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4];
  const shuffled = groupAuc(
    order.map((i) => labels[i]),
    order.map((i) => scores[i]),
    order.map((i) => users[i]),
    'uniform',
  );
  const userA = rows.filter((row) => row.user === 'a');
  const aloneA = rocAuc(
    userA.map((row) => row.label),
    userA.map((row) => row.score),
  );

  expect(aloneA).toBeCloseTo(2 / 3, 15);
  expect(shuffled.value).toBeCloseTo((aloneA + 1) / 2, 15);
});

test('a user with both classes and all-equal scores counts with AUC one half (as DIN, not TorchRec)', () => {
  const result = groupAuc([1, 0, 1, 0], [0.3, 0.3, 0.9, 0.1], ['x', 'x', 'y', 'y'], 'uniform');
  expect(result.value).toBeCloseTo(0.75, 15);
  expect(result.groupsUsed).toBe(2);
});

test('numeric group ids work and no usable group gives NaN', () => {
  expect(groupAuc([1, 0, 1, 0], [0.9, 0.1, 0.2, 0.8], [7, 7, 8, 8]).value).toBeCloseTo(0.5, 15);
  const none = groupAuc([1, 0], [0.9, 0.1], ['p', 'q']);
  expect(none.value).toBeNaN();
  expect(none).toMatchObject({ groupsUsed: 0, groupsSkipped: 2 });
});

test('GAUC ignores differences between users that global AUC rewards', () => {
  // Within each user the model is random (AUC ½), but it scores the active user higher:
  // global AUC looks good while GAUC reveals no per-user ranking skill.
  const result = groupAuc(
    [1, 1, 0, 0, 1, 0, 0, 0],
    [0.9, 0.8, 0.9, 0.8, 0.1, 0.1, 0.2, 0.05],
    ['active', 'active', 'active', 'active', 'idle', 'idle', 'idle', 'idle'],
  );
  expect(
    rocAuc([1, 1, 0, 0, 1, 0, 0, 0], [0.9, 0.8, 0.9, 0.8, 0.1, 0.1, 0.2, 0.05]),
  ).toBeGreaterThan(0.6);
  expect(result.value).toBeCloseTo((4 * 0.5 + 4 * 0.5) / 8, 15);
});

test('bad weighting and bad group ids are rejected by name', () => {
  expect(() => groupAuc([1, 0], [0.1, 0.2], ['a', 'a'], 'users' as never)).toThrow(
    MetricOptionError,
  );
  expect(() => groupAuc([1, 0], [0.1, 0.2], ['a', undefined as unknown as string])).toThrow(
    ArrayInputValueError,
  );
  expect(() => groupAuc([1, 0], [0.1, 0.2], ['a'])).toThrow('groupAuc: groups has 1 entries');
});

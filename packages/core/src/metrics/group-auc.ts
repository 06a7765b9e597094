import { ascendingOrder } from './ordering';
import { aucOfOrderedRows } from './roc-auc';
import {
  ArrayInputValueError,
  MetricOptionError,
  requireLength,
  validateBinaryInputs,
} from './validation';

/** How {@link groupAuc} weights each group's AUC. */
export const groupAucWeightings = ['impressions', 'clicks', 'uniform'] as const;

/**
 * `impressions`: by the group's row count (DIN, Zhou et al. 2018); `clicks`: by its positive
 * count; `uniform`: plain mean over groups (TorchRec's `gauc`).
 */
export type GroupAucWeighting = (typeof groupAucWeightings)[number];

/** Result of {@link groupAuc}. */
export interface GroupAucResult {
  /** Weighted mean of the per-group AUCs; NaN when no group has both classes. */
  value: number;
  /** The weighting used, so that every report states it. */
  weighting: GroupAucWeighting;
  /** Groups with both a positive and a negative row, which enter the mean. */
  groupsUsed: number;
  /** Groups with a single class, whose AUC is undefined and which are left out. */
  groupsSkipped: number;
}

/**
 * Group AUC (GAUC): Σ_u w_u · AUC_u / Σ_u w_u over the groups u (usually users) that have both
 * a positive and a negative row, each AUC_u exact and tie-aware as in {@link rocAuc}. It asks
 * "does the model rank this user's items well", which a global AUC mixes up with "does it tell
 * active from inactive users".
 *
 * The default weighting is `impressions`, the one DIN introduced GAUC with. TorchRec's `gauc`
 * is the `uniform` mean and also skips groups whose predictions are all equal; here such a group
 * (with both classes) counts with AUC 0.5, as in DIN. Group ids are compared with `===`, so the
 * number 1 and the string '1' are different groups.
 */
export function groupAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  groups: ArrayLike<string | number>,
  weighting: GroupAucWeighting = 'impressions',
): GroupAucResult {
  const caller = 'groupAuc';
  const rows = validateBinaryInputs(caller, labels, scores, 'scores');
  requireLength(caller, 'groups', groups, rows, 'labels');
  if (!groupAucWeightings.includes(weighting)) {
    throw new MetricOptionError(
      caller,
      'weighting',
      weighting,
      `expected one of ${groupAucWeightings.join(', ')}`,
    );
  }
  return groupAucOfOrder(ascendingOrder(scores), labels, scores, groups, weighting);
}

/** {@link groupAuc} of validated inputs, given the rows in ascending score order. */
export function groupAucOfOrder(
  order: Uint32Array,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  groups: ArrayLike<string | number>,
  weighting: GroupAucWeighting,
): GroupAucResult {
  const rows = order.length;
  const { groupOfRow, groupCount } = numberGroups('groupAuc', groups);
  const groupStart = new Uint32Array(groupCount + 1);
  for (let row = 0; row < rows; row++) groupStart[groupOfRow[row] + 1]++;
  for (let group = 0; group < groupCount; group++) groupStart[group + 1] += groupStart[group];

  // Bucketing the globally score-ordered rows by group (a stable counting sort) leaves each
  // group's rows in score order, so one O(n log n) sort serves every group.
  const byGroup = new Uint32Array(rows);
  const nextSlot = groupStart.slice(0, groupCount);
  for (const row of order) byGroup[nextSlot[groupOfRow[row]]++] = row;

  let weightedAucSum = 0;
  let weightSum = 0;
  let groupsUsed = 0;
  for (let group = 0; group < groupCount; group++) {
    const start = groupStart[group];
    const end = groupStart[group + 1];
    const run = aucOfOrderedRows(byGroup, start, end, labels, scores);
    if (Number.isNaN(run.auc)) continue;

    const weight =
      weighting === 'impressions' ? end - start : weighting === 'clicks' ? run.positiveWeight : 1;
    weightedAucSum += weight * run.auc;
    weightSum += weight;
    groupsUsed++;
  }

  return {
    value: groupsUsed > 0 ? weightedAucSum / weightSum : Number.NaN,
    weighting,
    groupsUsed,
    groupsSkipped: groupCount - groupsUsed,
  };
}

function numberGroups(
  caller: string,
  groups: ArrayLike<string | number>,
): { groupOfRow: Uint32Array; groupCount: number } {
  const groupOfRow = new Uint32Array(groups.length);
  const numberOfGroup = new Map<string | number, number>();
  for (let row = 0; row < groups.length; row++) {
    const id = groups[row];
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      throw new ArrayInputValueError(
        caller,
        'groups',
        row,
        id,
        'expected a string or finite number group id',
      );
    }

    let group = numberOfGroup.get(id);
    if (group === undefined) {
      group = numberOfGroup.size;
      numberOfGroup.set(id, group);
    }
    groupOfRow[row] = group;
  }
  return { groupOfRow, groupCount: numberOfGroup.size };
}

#!/usr/bin/python3
"""Parity fixtures from real XGBoost for gfr's scorer (packages/core/src/gbdt/testdata/xgboost).

Run by hand with Debian's XGBoost (python3-xgboost 1.7.4), not the pyenv python on PATH:

    /usr/bin/python3 scripts/xgboost-fixtures.py [--out packages/core/src/gbdt/testdata/xgboost]

Data: generated here, deterministically (numpy PCG64, fixed seeds), in the shape of the
simulator's feed features: integer counts (so that many values sit exactly on split
thresholds), shares in [0, 1], hours since the last click (missing for users who never
clicked), price, position, and columns missing at random. Labels are Bernoulli draws from a
logistic function of them. No gfr code is needed to run the script.

For each shape (depth 2 to 8, 10 to 500 trees) it writes:
  <name>.json-model         the model as XGBoost's JSON (named so that the repository's
                            `prettier --check .` leaves XGBoost's own text alone);
  <name>.ubj                the same model as XGBoost's UBJSON;
  <name>.cases.jsonl        a header line (version, parameters, trees scored, feature names),
                            then one line per input row: the row (exact decimal doubles,
                            null = missing) and XGBoost's margin and probability as float32
                            bit patterns (8 hex digits).
Rows include values exactly on split thresholds, doubles that round onto a threshold in
float32, and doubles just below one. Also small models gfr must refuse (categorical splits,
multi-class, a regression objective, the legacy binary format), as refused-*.
"""
import argparse
import json
import os
import struct

import numpy as np
import xgboost as xgb

FEATURES = [
    'position',
    'user_clicks',
    'user_purchases',
    'user_purchase_rate',
    'user_hours_since_last_click',
    'user_category_clicks',
    'user_category_click_share',
    'item_impressions',
    'item_ctr',
    'item_price',
    'item_age_days',
    'item_rating',
]

# name, XGBoost parameters, rounds, missing share of the random-missing columns, early stopping
SHAPES = [
    ('depth2-trees500', {'max_depth': 2, 'eta': 0.1}, 500, 0.0, None),
    ('depth4-trees100-missing', {'max_depth': 4, 'eta': 0.2}, 100, 0.25, None),
    ('depth6-trees50-missing-base0.25', {'max_depth': 6, 'eta': 0.3, 'base_score': 0.25}, 50, 0.3,
     None),
    ('depth8-trees10', {'max_depth': 8, 'eta': 0.3, 'min_child_weight': 0.5}, 10, 0.1, None),
    # XGBoost's exact method runs the pruner, which leaves deleted nodes in the arrays.
    ('depth6-trees40-pruned', {'max_depth': 6, 'eta': 0.3, 'gamma': 4.0, 'tree_method': 'exact'},
     40, 0.1, None),
    ('depth3-trees60-early-stopping', {'max_depth': 3, 'eta': 0.5}, 60, 0.1, 5),
]

CASE_ROWS = 240


def simulate(rows, missing_share, seed):
    """Feed-like rows and click labels, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    x = np.empty((rows, len(FEATURES)), dtype=np.float64)
    x[:, 0] = rng.integers(1, 21, rows)
    x[:, 1] = rng.poisson(3.0, rows)
    x[:, 2] = rng.binomial(x[:, 1].astype(int), 0.15)
    x[:, 3] = (x[:, 2] + 0.5) / (x[:, 1] + 5.0)
    hours = rng.exponential(30.0, rows)
    x[:, 4] = np.where(x[:, 1] > 0, np.round(hours, 2), np.nan)
    x[:, 5] = rng.binomial(x[:, 1].astype(int), 0.4)
    x[:, 6] = np.where(x[:, 1] > 0, x[:, 5] / np.maximum(x[:, 1], 1), 0.0)
    x[:, 7] = rng.integers(0, 500, rows)
    x[:, 8] = rng.beta(2, 30, rows)
    x[:, 9] = np.round(rng.lognormal(3.0, 0.8, rows), 2)
    x[:, 10] = rng.integers(0, 90, rows)
    x[:, 11] = np.round(rng.uniform(1, 5, rows), 1)
    logit = (-2.0 - 0.12 * x[:, 0] + 0.25 * np.minimum(x[:, 1], 8) + 1.2 * x[:, 6]
             + 18.0 * x[:, 8] - 0.004 * x[:, 9] + 0.3 * (x[:, 11] > 4.0)
             - 0.01 * np.nan_to_num(x[:, 4], nan=60.0))
    labels = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    if missing_share > 0:
        for column in (7, 8, 9, 11):
            x[rng.uniform(size=rows) < missing_share, column] = np.nan
    return x, labels


def thresholds(booster):
    """(feature, float32 threshold) of every split in the model."""
    found = []
    for tree in json.loads(booster.save_raw('json'))['learner']['gradient_booster']['model']['trees']:
        for node, left in enumerate(tree['left_children']):
            if left != -1:
                found.append((tree['split_indices'][node], tree['split_conditions'][node]))
    return found


def case_rows(booster, missing_share, seed):
    """Random rows, then rows moved onto, just around and below split thresholds."""
    x, _ = simulate(CASE_ROWS, missing_share, seed)
    splits = thresholds(booster)
    rng = np.random.default_rng(seed + 1)
    third = CASE_ROWS // 3
    for row in range(third, CASE_ROWS):
        feature, threshold = splits[rng.integers(0, len(splits))]
        exact = float(np.float32(threshold))
        kind = row % 3
        if kind == 0:
            value = exact  # equality goes right
        elif kind == 1:
            # a double just below the float32 threshold: rounds onto it in float32, goes right
            value = float(np.nextafter(exact, -np.inf))
        else:
            # the float32 just below the threshold: goes left
            value = float(np.nextafter(np.float32(exact), np.float32(-np.inf)))
        x[row, feature] = value
    return x


def float32_hex(values):
    return ['%08x' % struct.unpack('>I', struct.pack('>f', float(v)))[0] for v in values]


def save_json_model(booster, out, name):
    # XGBoost picks the format from the extension: save as .json, then rename.
    booster.save_model(os.path.join(out, name + '.json'))
    os.replace(os.path.join(out, name + '.json'), os.path.join(out, name + '.json-model'))


def write_json_lines(path, lines):
    with open(path, 'w') as out:
        for line in lines:
            out.write(json.dumps(line, separators=(',', ':')) + '\n')


def parity_fixture(out, name, params, rounds, missing_share, early_stopping, seed):
    x, labels = simulate(4000, missing_share, seed)
    train = xgb.DMatrix(x[:3000], label=labels[:3000], missing=np.nan, feature_names=FEATURES)
    valid = xgb.DMatrix(x[3000:], label=labels[3000:], missing=np.nan, feature_names=FEATURES)
    full = {'objective': 'binary:logistic', 'tree_method': 'hist', 'max_bin': 64, 'nthread': 1,
            'seed': seed, **params}
    booster = xgb.train(full, train, rounds, evals=[(valid, 'validation')],
                        early_stopping_rounds=early_stopping, verbose_eval=False)
    save_json_model(booster, out, name)
    booster.save_model(os.path.join(out, name + '.ubj'))

    rows = case_rows(booster, missing_share, seed + 100)
    matrix = xgb.DMatrix(rows, missing=np.nan, feature_names=FEATURES)
    # What gfr does by default: score the trees up to best_iteration when it is recorded.
    best = booster.attr('best_iteration')
    used = int(best) + 1 if best is not None else booster.num_boosted_rounds()
    margins = booster.predict(matrix, output_margin=True, iteration_range=(0, used))
    probabilities = booster.predict(matrix, iteration_range=(0, used))
    header = {
        'xgboost_version': xgb.__version__,
        'parameters': {**full, 'num_boost_round': rounds, 'early_stopping_rounds': early_stopping},
        'trees_scored': used,
        'feature_names': FEATURES,
    }
    cases = [
        {'row': [None if np.isnan(v) else float(v) for v in row], 'margin': margin,
         'probability': probability}
        for row, margin, probability in zip(rows, float32_hex(margins),
                                            float32_hex(probabilities))
    ]
    write_json_lines(os.path.join(out, name + '.cases.jsonl'), [header, *cases])
    deleted = sum(int(t['tree_param']['num_deleted']) for t in json.loads(
        booster.save_raw('json'))['learner']['gradient_booster']['model']['trees'])
    print(f'{name}: {booster.num_boosted_rounds()} trees, {used} scored, {deleted} deleted nodes')


def refused_fixtures(out):
    x, labels = simulate(600, 0.1, 99)
    small = {'tree_method': 'hist', 'max_depth': 2, 'nthread': 1, 'seed': 1}

    categorical = x[:, :3].copy()
    categorical[:, 0] = categorical[:, 0] % 4
    booster = xgb.train({**small, 'objective': 'binary:logistic'},
                        xgb.DMatrix(categorical, label=labels, feature_types=['c', 'q', 'q'],
                                    enable_categorical=True), 3)
    save_json_model(booster, out, 'refused-categorical')
    booster.save_model(os.path.join(out, 'refused-categorical.ubj'))

    booster = xgb.train({**small, 'objective': 'multi:softprob', 'num_class': 3},
                        xgb.DMatrix(x, label=(x[:, 1] % 3)), 2)
    save_json_model(booster, out, 'refused-multiclass')

    booster = xgb.train({**small, 'objective': 'reg:squarederror'},
                        xgb.DMatrix(x, label=x[:, 0]), 2)
    booster.save_model(os.path.join(out, 'refused-squarederror.ubj'))

    booster = xgb.train({**small, 'objective': 'binary:logistic'},
                        xgb.DMatrix(x, label=labels), 2)
    # A file name without .json/.ubj makes XGBoost 1.7 write its legacy binary format, as
    # SageMaker's 1.7-1 image does for xgboost-model.
    booster.save_model(os.path.join(out, 'refused-legacy.bin'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='packages/core/src/gbdt/testdata/xgboost')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for index, (name, params, rounds, missing, early) in enumerate(SHAPES):
        parity_fixture(args.out, name, params, rounds, missing, early, 1000 + index)
    refused_fixtures(args.out)


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""XGBoost's side of `npm run bench:model` (packages/core/src/gbdt/bench/bench-model.ts).

Run by the benchmark with Debian's XGBoost (/usr/bin/python3, python3-xgboost 1.7.4) on the
rows it wrote into DIR (meta.json; train/test .values.f32 row-major float32, NaN = missing;
.labels.f32), and prints one JSON line on stdout:

  train DIR --rounds N --depth N --bins N --threads N --eta X --base-score P
      wall times of building the DMatrix and of xgb.train (`hist`), peak resident memory, and
      the test rows' probabilities written to DIR/test.xgboost.f32.
  score DIR --trees N --depth N --rows-per-batch 1,500,10000 --repeats N
      trains a model of N trees on the first 100,000 training rows, saves it to
      DIR/scoring-model.json, writes the margins of the first 10,000 test rows to
      DIR/scoring-margins.f32, then scores the test rows on one thread with inplace_predict
      (XGBoost's fastest Python path) in batches of each size: rows per second per repeat.
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import xgboost as xgb

SCORING_TRAIN_ROWS = 100_000
PARITY_ROWS = 10_000
ROWS_PER_MEASUREMENT = {1: 2_000, 500: 20_000, 10_000: 50_000}


def load(directory, part):
    with open(os.path.join(directory, 'meta.json')) as meta_file:
        meta = json.load(meta_file)
    rows, columns = meta[part + '_rows'], meta['columns']
    values = np.fromfile(os.path.join(directory, part + '.values.f32'), dtype='<f4')
    labels = np.fromfile(os.path.join(directory, part + '.labels.f32'), dtype='<f4')
    return values.reshape(rows, columns), labels


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def parameters(args):
    return {
        'objective': 'binary:logistic',
        'tree_method': 'hist',
        'max_depth': args.depth,
        'max_bin': args.bins,
        'eta': args.eta,
        'lambda': 1.0,
        'min_child_weight': 1.0,
        'gamma': 0.0,
        'subsample': 1.0,
        'colsample_bytree': 1.0,
        'base_score': args.base_score,
        'nthread': args.threads,
        'seed': 42,
    }


def train(args):
    x, y = load(args.directory, 'train')
    started = time.perf_counter()
    dtrain = xgb.DMatrix(x, label=y, missing=np.nan, nthread=args.threads)
    built = time.perf_counter()
    booster = xgb.train(parameters(args), dtrain, args.rounds)
    finished = time.perf_counter()
    peak = peak_rss_kb()

    x_test, _ = load(args.directory, 'test')
    probabilities = booster.predict(xgb.DMatrix(x_test, missing=np.nan, nthread=args.threads))
    probabilities.astype('<f4').tofile(os.path.join(args.directory, 'test.xgboost.f32'))
    print(json.dumps({
        'xgboost_version': xgb.__version__,
        'dmatrix_ms': (built - started) * 1000,
        'train_ms': (finished - built) * 1000,
        'peak_rss_kb': peak,
    }))


def score(args):
    x, y = load(args.directory, 'train')
    dtrain = xgb.DMatrix(x[:SCORING_TRAIN_ROWS], label=y[:SCORING_TRAIN_ROWS], missing=np.nan)
    booster = xgb.train({**parameters(args), 'nthread': 2}, dtrain, args.trees)
    booster.save_model(os.path.join(args.directory, 'scoring-model.json'))

    x_test, _ = load(args.directory, 'test')
    x_test = np.ascontiguousarray(x_test)
    booster.set_param({'nthread': 1})
    margins = booster.inplace_predict(x_test[:PARITY_ROWS], predict_type='margin')
    margins.astype('<f4').tofile(os.path.join(args.directory, 'scoring-margins.f32'))

    figures = []
    for batch in [int(size) for size in args.rows_per_batch.split(',')]:
        total = ROWS_PER_MEASUREMENT.get(batch, 20 * batch)
        # Warm up once, then measure; rows walk through the test set.
        booster.inplace_predict(x_test[:batch])
        samples = []
        for _ in range(args.repeats):
            offset = 0
            started = time.perf_counter()
            for _ in range(0, total, batch):
                booster.inplace_predict(x_test[offset:offset + batch])
                offset = offset + batch if offset + 2 * batch <= len(x_test) else 0
            samples.append(total / (time.perf_counter() - started))
        figures.append({'batch': batch, 'rows_per_second': samples})
    print(json.dumps({'xgboost_version': xgb.__version__, 'figures': figures}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('mode', choices=['train', 'score'])
    parser.add_argument('directory')
    parser.add_argument('--rounds', type=int, default=100)
    parser.add_argument('--trees', type=int, default=300)
    parser.add_argument('--depth', type=int, default=6)
    parser.add_argument('--bins', type=int, default=256)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--eta', type=float, default=0.1)
    parser.add_argument('--base-score', type=float, default=0.5)
    parser.add_argument('--rows-per-batch', default='1,500,10000')
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    (train if args.mode == 'train' else score)(args)


if __name__ == '__main__':
    main()

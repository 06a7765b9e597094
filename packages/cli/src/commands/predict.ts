import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { InvalidArgumentError, loadArtifact, manifestFileName, gbdt } from '@gfr/core';

import { GlobalOptions, printResult } from '../output';
import { requireInput } from './options';

/** A decimal number as CSV writers print it: sign, digits, optional fraction and exponent. */
const decimalNumberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Bad rows listed in the error before the rest are only counted. */
const MAX_LISTED_BAD_CELLS = 20;

/** Which model a `--model` path holds. */
interface LoadedModel {
  model: gbdt.TreeEnsemble;
  /** `xgboost` for a model file, `artifact` for a gfr artifact (folder or tar.gz). */
  kind: 'xgboost' | 'artifact';
  head?: 'ctr' | 'cvr';
}

/** The rows of an input CSV, as model-ordered values (NaN = missing), with their line numbers. */
interface InputRows {
  rows: Float64Array[];
  lines: number[];
}

/**
 * `gfr predict`: scores the rows of a CSV with an XGBoost model file (JSON, UBJSON, SageMaker
 * model.tar.gz) or one head of a gfr artifact, exactly as XGBoost would, so a model can be
 * checked by hand.
 */
export function predictCommand(): Command {
  return new Command('predict')
    .description(
      'score CSV rows with an XGBoost model (JSON, UBJSON, model.tar.gz) or a gfr artifact head',
    )
    .requiredOption('--model <path>', 'XGBoost model file, model.tar.gz, or gfr artifact')
    .requiredOption(
      '--input <file>',
      'CSV with a header of feature names or 0-based indices; empty cells are missing',
    )
    .option('--margin', 'print raw scores (log-odds) instead of probabilities')
    .addOption(
      new Option('--head <head>', 'head of a gfr artifact (default ctr)').choices(['ctr', 'cvr']),
    )
    .action(
      async (
        flags: { model: string; input: string; margin?: boolean; head?: 'ctr' | 'cvr' },
        command: Command,
      ) => {
        const options = command.optsWithGlobals<GlobalOptions>();
        const loaded = await loadModel(
          requireInput(
            flags.model,
            'pass --model an XGBoost model file (JSON, UBJSON, model.tar.gz) or a gfr artifact',
            `--model ${path.resolve(flags.model)}: does not exist`,
          ),
          flags.head,
        );
        const input = readInputRows(
          requireInput(flags.input, 'pass --input a CSV of feature values'),
          loaded.model,
        );
        const scores = input.rows.map((row) =>
          flags.margin ? loaded.model.predictMargin(row) : loaded.model.predictProbability(row),
        );
        const output = flags.margin ? 'margin' : 'probability';
        const result = {
          model: {
            path: path.resolve(flags.model),
            kind: loaded.kind,
            ...(loaded.head ? { head: loaded.head } : {}),
            trees: loaded.model.numTrees,
            features: loaded.model.numFeature,
            objective: loaded.model.objective,
          },
          input: path.resolve(flags.input),
          output,
          rows: scores.length,
          predictions: scores.map((score, i) => ({ line: input.lines[i], [output]: score })),
        };
        printResult(options, result, () =>
          [
            `line,${output}`,
            ...scores.map((score, i) => `${input.lines[i]},${float32Text(score)}`),
          ].join('\n'),
        );
      },
    );
}

/**
 * Loads `--model`: a gfr artifact (a folder or tar.gz with the gfr manifest) gives the head
 * asked for; anything else is read as an XGBoost model file, whose form is told by content.
 */
async function loadModel(location: string, head: 'ctr' | 'cvr' | undefined): Promise<LoadedModel> {
  const directory = fs.statSync(location).isDirectory();
  const isArtifact = directory
    ? fs.existsSync(path.join(location, manifestFileName))
    : tarballHolds(location, manifestFileName);
  if (isArtifact) {
    const artifact = await loadArtifact(location);
    const chosen = head ?? 'ctr';
    const entry = artifact[chosen];
    if (!entry) {
      throw new InvalidArgumentError(`--head ${chosen}: the artifact ${location} has no such head`);
    }
    // Known shortcoming: the head's raw probability is printed, not the calibrated one the
    // ranker uses; calibration is the artifact's business, this command checks the trees.
    return { model: entry.model, kind: 'artifact', head: chosen };
  }
  if (head !== undefined) {
    throw new InvalidArgumentError(
      `--head applies to gfr artifacts; ${location} is not one (no ${manifestFileName})`,
    );
  }
  const file = directory ? path.join(location, gbdt.SAGEMAKER_MODEL_ENTRY) : location;
  if (directory && !fs.existsSync(file)) {
    throw new InvalidArgumentError(
      `--model ${location} is a folder with neither ${manifestFileName} (a gfr artifact) nor ` +
        `${gbdt.SAGEMAKER_MODEL_ENTRY} (an XGBoost model)`,
    );
  }
  return { model: gbdt.readXGBoostModelFile(file), kind: 'xgboost' };
}

/** Whether `file` is a gzip-compressed tar with an entry named `name` at its root. */
function tarballHolds(file: string, name: string): boolean {
  const head = Buffer.alloc(2);
  const descriptor = fs.openSync(file, 'r');
  try {
    fs.readSync(descriptor, head, 0, 2, 0);
  } finally {
    fs.closeSync(descriptor);
  }
  if (gbdt.detectXGBoostModelForm(head) !== 'gzip') return false;
  let found = false;
  try {
    tar.list({
      file,
      sync: true,
      onReadEntry: (entry) => {
        if (entry.path.replace(/^(\.\/)+/, '') === name) found = true;
      },
    });
  } catch {
    // Not a readable tar: the XGBoost reader says why.
    return false;
  }
  return found;
}

/**
 * Reads the CSV: the header names the model's features (by name, or by 0-based index), every
 * feature exactly once; each cell is a finite number or empty (missing). Every bad cell is
 * reported with its line and column, and nothing is scored unless all rows are good.
 */
export function readInputRows(file: string, model: gbdt.TreeEnsemble): InputRows {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new InvalidArgumentError(`--input ${file} cannot be read`, { cause: error });
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new gbdt.PredictionInputError(`${file}: is empty (no header)`);
  const columns = headerColumns(file, splitCsv(lines[0]), model);

  const rows: Float64Array[] = [];
  const lineNumbers: number[] = [];
  const bad: string[] = [];
  let badCount = 0;
  const report = (message: string) => {
    badCount++;
    if (bad.length < MAX_LISTED_BAD_CELLS) bad.push(message);
  };
  for (let index = 1; index < lines.length; index++) {
    const lineNumber = index + 1;
    if (lines[index].trim() === '') continue;
    const cells = splitCsv(lines[index]);
    if (cells.length !== columns.length) {
      report(`line ${lineNumber}: ${cells.length} cells, the header has ${columns.length}`);
      continue;
    }
    const row = new Float64Array(model.numFeature);
    cells.forEach((cell, column) => {
      const trimmed = cell.trim();
      // Number() also reads 0x1A, 0b11 and 0o7; a CSV cell is a decimal number or nothing.
      const value = decimalNumberPattern.test(trimmed) ? Number(trimmed) : NaN;
      if (trimmed !== '' && !Number.isFinite(value)) {
        report(
          `line ${lineNumber}, column ${column + 1} (${columns[column].header}): ` +
            `'${cell}' is not a finite decimal number`,
        );
      }
      row[columns[column].feature] = value;
    });
    rows.push(row);
    lineNumbers.push(lineNumber);
  }
  if (badCount > 0) {
    const more = badCount > bad.length ? `; and ${badCount - bad.length} more` : '';
    throw new gbdt.PredictionInputError(`${file}: ${badCount} bad cells: ${bad.join('; ')}${more}`);
  }
  return { rows, lines: lineNumbers };
}

/** Maps each header cell to the model feature it fills; every feature must appear once. */
function headerColumns(
  file: string,
  header: string[],
  model: gbdt.TreeEnsemble,
): { header: string; feature: number }[] {
  const names = model.featureNames;
  const byIndex = header.every((cell) => /^\d+$/.test(cell.trim()));
  const columns = header.map((cell, column) => {
    const name = cell.trim();
    const feature = byIndex ? Number(name) : names.indexOf(name);
    if (feature < 0 || feature >= model.numFeature) {
      const expected = byIndex
        ? `an index below ${model.numFeature}`
        : names.length > 0
          ? `one of the model's features (${names.join(', ')})`
          : 'a 0-based index: the model carries no feature names';
      throw new gbdt.PredictionInputError(
        `${file}: line 1, column ${column + 1}: '${name}' is not ${expected}`,
      );
    }
    return { header: name, feature };
  });

  const seen = new Map<number, number>();
  columns.forEach(({ feature }, column) => {
    const earlier = seen.get(feature);
    if (earlier !== undefined) {
      throw new gbdt.PredictionInputError(
        `${file}: line 1, columns ${earlier + 1} and ${column + 1} both give feature ` +
          `${names[feature] ?? feature}`,
      );
    }
    seen.set(feature, column);
  });
  const absent = Array.from({ length: model.numFeature }, (_, i) => i).filter(
    (feature) => !seen.has(feature),
  );
  if (absent.length > 0) {
    const listed = absent.map((feature) => names[feature] ?? String(feature));
    throw new gbdt.PredictionInputError(
      `${file}: line 1: the header lacks ${absent.length} of the model's features ` +
        `(${listed.join(', ')}); give every feature a column, leaving cells empty for missing`,
    );
  }
  return columns;
}

/**
 * Splits a CSV line on commas and drops double quotes around a cell. Enough for numeric rows;
 * a quoted cell holding a comma is not supported (known shortcoming: the ingest adapters' full
 * RFC 4180 splitter is not part of the core's public API).
 */
function splitCsv(line: string): string[] {
  return line.split(',').map((cell) => {
    const trimmed = cell.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
      ? trimmed.slice(1, -1)
      : cell;
  });
}

/** The shortest decimal that reads back to the same float32 (how XGBoost's Python prints it). */
function float32Text(value: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(value);
}

import * as fs from 'node:fs';
import { GfrError, InputNotFoundError } from '@gfr/core';
import { z } from 'zod';

/**
 * Reading a gfr report.json for a page: which kind of report it is (by the fields only that
 * kind has) and a check of the fields the page draws, so that a damaged or foreign file gets a
 * message naming the field and value rather than a blank chart. Fields the pages do not use
 * pass through unchecked, and newer fields are welcome.
 */

/** A report.json is not one gfr writes, or a field the page draws has the wrong shape. */
export class ReportFormatError extends GfrError {
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super('REPORT_FORMAT', `${file}: ${message}`, options);
  }
}

const metric = z.number().nullable().optional();

const binaryMetrics = z.looseObject({
  auc: metric,
  pr_auc: metric,
  logloss: metric,
  ne: metric,
  brier: metric,
  gauc: metric,
  ece: metric,
  calibration_ratio: metric,
  positives: z.number(),
  rows: z.number(),
});

const curve = <Keys extends string>(keys: readonly [Keys, Keys]) =>
  z.array(z.object({ [keys[0]]: z.number(), [keys[1]]: z.number() } as Record<Keys, z.ZodNumber>));

const diagnostics = z.looseObject({
  roc: z.record(z.string(), curve(['fpr', 'tpr'] as const)),
  precision_recall: z.record(z.string(), curve(['recall', 'precision'] as const)),
  reliability: z.record(
    z.string(),
    z.array(z.object({ mean_prediction: z.number(), observed_rate: z.number(), rows: z.number() })),
  ),
  score_histogram: z.array(
    z.object({
      lower: z.number(),
      upper: z.number(),
      positives: z.number(),
      negatives: z.number(),
    }),
  ),
  feature_importance: z.array(
    z.object({ feature: z.string(), gain: z.number(), total_gain: z.number(), weight: z.number() }),
  ),
  channels: z.array(
    z.object({
      channel: z.string(),
      model: binaryMetrics,
      baseline_auc: z.record(z.string(), z.number().nullable()),
    }),
  ),
});

/** What the training page reads of one head. */
const trainedHead = z.looseObject({
  test: binaryMetrics,
  validation: binaryMetrics.optional(),
  baselines: z.record(z.string(), binaryMetrics).optional(),
  best_iteration: z.number().optional(),
  calibration: z.string().optional(),
  rows: z.looseObject({ train: z.number(), validation: z.number(), test: z.number() }).optional(),
  diagnostics: diagnostics.optional(),
});

const splitPart = z.looseObject({
  start: z.string().nullable(),
  end: z.string().nullable(),
  ctr_rows: z.number(),
  ctr_positives: z.number(),
  cvr_rows: z.number(),
});

/** The training report of gfr train and gfr quickstart (and the evaluate handler). */
export const trainingReportSchema = z.looseObject({
  model_version: z.string(),
  created_at: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  split: z.looseObject({ train: splitPart, validation: splitPart, test: splitPart }).optional(),
  models: z.record(z.string(), trainedHead),
  ranking: z
    .looseObject({
      ndcg_at_10: metric,
      ctr_only_ndcg_at_10: metric,
      lists: z.number(),
      score: z.string().optional(),
      baselines: z.record(z.string(), z.looseObject({ ndcg_at_10: metric })),
    })
    .optional(),
  artifact: z.string().optional(),
  notes: z.array(z.string()).optional(),
  /** Set for gfr evaluate's output: the part of the training sets the metrics are of. */
  evaluated_part: z.string().optional(),
});

/** The training report as the page reads it. */
export type TrainingReportInput = z.infer<typeof trainingReportSchema>;

/** Diagnostics of one head as the page reads them. */
export type DiagnosticsInput = z.infer<typeof diagnostics>;

/** gfr evaluate's output: an artifact's metrics on one part of stored training sets. */
export const evaluationReportSchema = z.looseObject({
  model_version: z.string(),
  part: z.string(),
  ctr: binaryMetrics,
  cvr: binaryMetrics.nullable(),
  diagnostics: z.looseObject({ ctr: diagnostics, cvr: diagnostics.nullable() }).optional(),
});

const featureDrift = z.looseObject({
  feature: z.string(),
  rows: z.number(),
  // Absent from reports written before it was added: every row counted then.
  sample_size: z.number().optional(),
  psi: z.number(),
  jensen_shannon: z.number(),
  missing_share_reference: z.number(),
  missing_share_current: z.number(),
  drifted: z.boolean(),
  judged: z.boolean(),
});

/** The drift report of gfr drift (and the drift-check handler). */
export const driftReportSchema = z.looseObject({
  model_version: z.string(),
  requests: z.number(),
  candidates: z.number(),
  unreadable_requests: z.number(),
  thresholds: z.looseObject({
    psi: z.number(),
    jensenShannon: z.number(),
    minimumRows: z.number(),
  }),
  features: z.array(featureDrift),
  drifted_features: z.array(z.string()),
});

/** The drift report as the page reads it. */
export type DriftReportInput = z.infer<typeof driftReportSchema>;

const interval = z.object({ estimate: z.number(), lower: z.number(), upper: z.number() });

/** The experiment report of gfr ab analyze (`ExperimentReport` of @gfr/core). */
export const experimentReportSchema = z.looseObject({
  schema_version: z.literal(1),
  experiment: z.string(),
  generated_at: z.string(),
  control: z.string(),
  alpha: z.number(),
  attribution_window_hours: z.number(),
  period: z.looseObject({
    start: z.string().nullable(),
    end: z.string().nullable(),
    days: z.number(),
  }),
  variants: z.array(
    z.looseObject({
      variant: z.string(),
      expected_share: z.number(),
      users: z.number(),
      exposures: z.number(),
      impressions: z.number(),
      clicks: z.number(),
      purchases: z.number(),
      revenue: z.number(),
      metrics: z.record(z.string(), z.number().nullable()),
    }),
  ),
  comparisons: z.array(
    z.looseObject({
      metric: z.string(),
      treatment: z.string(),
      control: z.string(),
      control_value: z.number().nullable(),
      treatment_value: z.number().nullable(),
      absolute: interval.nullable(),
      relative: interval.nullable(),
      sequential: z.looseObject({ absolute: interval, relative: interval.nullable() }).nullable(),
      p_value: z.number().nullable(),
      // Absent from reports written before it was added.
      relative_p_value: z.number().nullable().optional(),
      significant: z.boolean(),
    }),
  ),
  sample_ratio: z.looseObject({
    observed: z.record(z.string(), z.number()),
    expected_share: z.record(z.string(), z.number()),
    chi_square: z.number(),
    p_value: z.number(),
    threshold: z.number(),
    mismatch: z.boolean(),
  }),
  daily: z.array(
    z.looseObject({
      day: z.string(),
      users: z.record(z.string(), z.number()),
      sample_ratio: z.looseObject({
        observed_share: z.record(z.string(), z.number()),
        p_value: z.number(),
        mismatch: z.boolean(),
      }),
      comparisons: z.array(
        z.looseObject({
          metric: z.string(),
          treatment: z.string(),
          relative: interval.nullable(),
          absolute: interval.nullable(),
        }),
      ),
    }),
  ),
  data_quality: z.looseObject({
    exposure_records: z.number(),
    outcome_records: z.number(),
    malformed_lines: z.number(),
    attributed_outcomes: z.number(),
    unattributed_outcomes: z.number(),
    outside_window_outcomes: z.number(),
    users_in_several_variants: z.number(),
  }),
  notes: z.array(z.string()),
});

/** The experiment report as the page reads it. */
export type ExperimentReportInput = z.infer<typeof experimentReportSchema>;

/** A report read and checked, tagged with its kind. */
export type ReportInput =
  | { kind: 'training'; report: TrainingReportInput }
  | { kind: 'drift'; report: DriftReportInput }
  | { kind: 'experiment'; report: ExperimentReportInput };

/** The kinds of report gfr renders, with the field that tells each apart. */
const kinds = [
  { kind: 'experiment', marker: 'variants', schema: experimentReportSchema },
  { kind: 'drift', marker: 'drifted_features', schema: driftReportSchema },
  { kind: 'training', marker: 'models', schema: trainingReportSchema },
  { kind: 'evaluation', marker: 'part', schema: evaluationReportSchema },
] as const;

/**
 * Reads a report.json and checks it against the schema of its kind.
 *
 * @param file path named in error messages
 */
export function readReportFile(file: string): ReportInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputNotFoundError(file, undefined, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ReportFormatError(file, `not JSON (${(error as Error).message})`, { cause: error });
  }
  return parseReport(document, file);
}

/** Tells the kind of a parsed report.json and checks it; `file` is named in errors. */
export function parseReport(document: unknown, file: string): ReportInput {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ReportFormatError(file, 'expected a JSON object at the top level');
  }
  const found = kinds.find(({ marker }) => marker in document);
  if (!found) {
    throw new ReportFormatError(
      file,
      'not a gfr report: expected a training report (models), an evaluation (part), a drift ' +
        'check (drifted_features) or an experiment (variants)',
    );
  }
  const parsed = found.schema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || '(top level)';
    const value = valueAt(document, issue.path);
    throw new ReportFormatError(
      file,
      `field ${field} of this ${found.kind} report: ${issue.message} (found ${describe(value)})`,
    );
  }
  if (found.kind === 'evaluation') {
    return { kind: 'training', report: evaluationAsTraining(parsed.data as EvaluationInput) };
  }
  return { kind: found.kind, report: parsed.data } as ReportInput;
}

type EvaluationInput = z.infer<typeof evaluationReportSchema>;

/** gfr evaluate's output in the training report's shape: its metrics are the test metrics. */
function evaluationAsTraining(evaluation: EvaluationInput): TrainingReportInput {
  const models: TrainingReportInput['models'] = {
    ctr: { test: evaluation.ctr, diagnostics: evaluation.diagnostics?.ctr },
  };
  if (evaluation.cvr) {
    models.cvr = { test: evaluation.cvr, diagnostics: evaluation.diagnostics?.cvr ?? undefined };
  }
  return {
    model_version: evaluation.model_version,
    evaluated_part: evaluation.part,
    models,
    notes: [`metrics of the stored model on the ${evaluation.part} part; no baselines were run`],
  };
}

function valueAt(document: unknown, path: PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

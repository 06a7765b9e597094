import { z } from 'zod';

/** Name of the manifest file inside a model artifact directory. */
export const manifestFileName = 'manifest.json';

/** The artifact format this code writes and reads. */
export const artifactFormat = 'gfr-ranker';
/** Version of the artifact layout; bumped on incompatible changes. */
export const artifactFormatVersion = 1;

const isoTime = z.string().datetime();

/** A file inside the artifact folder: a plain name, so a manifest cannot point outside it. */
const artifactFileName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a plain file name inside the artifact');

const headSchema = z.object({
  model_file: artifactFileName,
  best_iteration: z.number().int().nonnegative(),
  trees: z.number().int().nonnegative(),
});

/**
 * The manifest of a model artifact: which models, trained on what, with which features, how
 * they scored. Validated whenever an artifact is loaded, so a server never starts on a
 * half-understood model.
 */
export const manifestSchema = z.object({
  format: z.literal(artifactFormat),
  format_version: z.literal(artifactFormatVersion),
  model_version: z.string().min(1),
  created_at: isoTime,
  training_window: z.object({ start: isoTime, end: isoTime }),
  split: z.object({
    validation_start: isoTime,
    test_start: isoTime,
    gap_seconds: z.number().nonnegative(),
  }),
  feature_set_version: z.number().int(),
  feature_names: z.array(z.string()),
  feature_settings: z.object({
    halfLifeSeconds: z.number().positive(),
    ctrPriorImpressions: z.number().nonnegative(),
    purchasePriorClicks: z.number().nonnegative(),
    vocabularies: z.object({
      user_geo: z.array(z.string()),
      user_acquisition_channel: z.array(z.string()),
    }),
  }),
  sampling: z.object({
    reconstructed_impressions: z.boolean(),
    negative_keep_rate: z.number().positive().max(1),
  }),
  parameters: z.record(z.string(), z.unknown()),
  heads: z.object({ ctr: headSchema, cvr: headSchema.nullable() }),
  files: z.object({ calibration: artifactFileName, feature_distributions: artifactFileName }),
  metrics: z.record(z.string(), z.unknown()),
});

/** A validated artifact manifest. */
export type ArtifactManifest = z.infer<typeof manifestSchema>;

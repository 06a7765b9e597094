import * as fs from 'node:fs';
import * as path from 'node:path';

import { Node } from 'constructs';
import { z } from 'zod';

import { BucketPrefix } from '../lambdas/src/contract';
import { GfrError } from '../packages/core/src/errors';
import { VariantName } from './names';

/** Context key of the stage name (`dev`, `prod`, …); it prefixes every physical name. */
export const STAGE_CONTEXT_KEY = 'gfr:stage';

/** Context key of an optional JSON file whose values override the stage's defaults. */
export const CONFIG_FILE_CONTEXT_KEY = 'gfr:config';

/** Context keys of the target account and region; without them the stacks are env-agnostic. */
export const ACCOUNT_CONTEXT_KEY = 'gfr:account';
export const REGION_CONTEXT_KEY = 'gfr:region';

const positiveInteger = z.number().int().positive();
const seconds = z.number().int().min(0);
const share = z.number().min(0);

const variantSchema = z.strictObject({
  /** Relative traffic weight at creation; later weights belong to the deploy handler. */
  initialWeight: share,
  initialInstanceCount: positiveInteger,
  minCapacity: positiveInteger,
  maxCapacity: positiveInteger,
  /**
   * Key of the `model.tar.gz` this variant serves at creation, inside the artifact bucket; under
   * the models prefix, the only one the endpoint's role may read.
   */
  modelArtifactKey: z
    .string()
    .regex(
      new RegExp(`^${BucketPrefix.MODELS}.+\\.tar\\.gz$`),
      `a key under ${BucketPrefix.MODELS} ending in .tar.gz`,
    ),
});

const blueGreenSchema = z.strictObject({
  /** `ALL_AT_ONCE`, `CANARY` or `LINEAR` traffic shifting. */
  trafficRouting: z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
  /** Percent of capacity shifted first (canary) or per step (linear). */
  stepPercent: z.number().min(1).max(100),
  waitIntervalSeconds: seconds.max(3600),
  terminationWaitSeconds: seconds.max(3600),
  maximumExecutionTimeoutSeconds: z.number().int().min(600).max(28800),
});

const configSchema = z.strictObject({
  stage: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, 'lower-case letters and digits, at most 12'),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .optional(),
  /** Retain data and the endpoint on delete, and turn termination protection on. */
  production: z.boolean(),
  endpoint: z.strictObject({
    instanceType: z.string().regex(/^ml\./),
    /** Percent of invocations written to Data Capture. */
    capturePercent: z.number().int().min(0).max(100),
    startupHealthCheckTimeoutSeconds: z.number().int().min(60).max(3600),
    modelDataDownloadTimeoutSeconds: z.number().int().min(60).max(3600),
    variants: z.strictObject({
      [VariantName.CHAMPION]: variantSchema,
      [VariantName.CHALLENGER]: variantSchema.optional(),
    }),
    /**
     * Target tracking on SageMakerVariantInvocationsPerInstance, in invocations per minute per
     * instance. The default, 6,000 (100 requests a second), is a quarter of the 400 requests a
     * second of 500 candidates that `npm run bench:soak` sustains on two cores shared with its
     * own load generator (p99 13 ms): the usual half of sustained throughput, halved again
     * because a minute's average hides bursts and a new instance takes minutes to start.
     */
    invocationsPerInstanceTarget: z.number().positive(),
    scaleInCooldownSeconds: seconds,
    scaleOutCooldownSeconds: seconds,
    /** Blue/green updates with automatic rollback on the endpoint alarms; `false` turns off. */
    blueGreen: z.union([blueGreenSchema, z.literal(false)]),
    /** Share of 5xx answers (percent of invocations) over 5 minutes that alarms. */
    error5xxPercentThreshold: z.number().positive(),
    /** p99 model latency that alarms, milliseconds. */
    modelLatencyP99Milliseconds: z.number().positive(),
  }),
  training: z.strictObject({
    trainer: z.enum(['gfr', 'xgboost']),
    /** Training job instance type; the processing steps use `processingInstanceType`. */
    instanceType: z.string().regex(/^ml\./),
    /** Instances of built-in XGBoost jobs; gfr's own trainer always runs on one. */
    xgboostInstanceCount: positiveInteger,
    /** Content type of the shards the process step writes for XGBoost (label-first Parquet). */
    xgboostContentType: z.string().min(1),
    processingInstanceType: z.string().regex(/^ml\./),
    volumeSizeGb: positiveInteger,
    maxRuntimeSeconds: positiveInteger,
    hyperparameters: z.record(z.string(), z.string()),
    trainDays: positiveInteger,
    validationDays: positiveInteger,
    testDays: positiveInteger,
    gapHours: z.number().int().min(0),
  }),
  schedules: z.strictObject({
    /** EventBridge schedule expression of the drift check. */
    driftCheck: z.string().regex(/^(rate|cron)\(.+\)$/),
    /** EventBridge schedule expression of the routine retrain. */
    retrain: z.string().regex(/^(rate|cron)\(.+\)$/),
  }),
  drift: z.strictObject({
    windowHours: positiveInteger,
    psiThreshold: z.number().positive(),
    jensenShannonThreshold: z.number().positive().max(1),
    minRecords: positiveInteger,
  }),
  gate: z.strictObject({
    aucTolerance: z.number().min(0),
    logLossTolerance: z.number().min(0),
    maxCalibrationError: z.number().positive(),
    /** Share of traffic a new challenger gets, percent. */
    challengerTrafficPercent: z.number().min(0).max(100),
  }),
  retention: z.strictObject({
    captureDays: positiveInteger,
    trainingSetDays: positiveInteger,
    noncurrentVersionDays: positiveInteger,
    logDays: positiveInteger,
  }),
  /** Reserve one concurrent execution for the retrain and deploy handlers (serializes them). */
  reserveHandlerConcurrency: z.boolean(),
});

/** The whole deployment configuration: every tunable of the stacks, validated. */
export type GfrConfig = z.infer<typeof configSchema>;

/** One production variant's configuration. */
export type VariantConfig = z.infer<typeof variantSchema>;

/** The blue/green update policy's configuration. */
export type BlueGreenConfig = z.infer<typeof blueGreenSchema>;

/** Where the initial model artifact is expected until the automation registers new ones. */
export const INITIAL_MODEL_ARTIFACT_KEY = 'models/initial/artifact/model.tar.gz';

/**
 * The defaults of a stage: small instances, one champion and a 10 % challenger serving the
 * initial artifact, drift checks every 4 hours and a daily retrain. `prod` is the only stage
 * that is `production` by default.
 */
export function defaultConfig(stage: string): GfrConfig {
  return {
    stage,
    production: stage === 'prod',
    endpoint: {
      instanceType: 'ml.c5.large',
      capturePercent: 20,
      startupHealthCheckTimeoutSeconds: 600,
      modelDataDownloadTimeoutSeconds: 600,
      variants: {
        [VariantName.CHAMPION]: {
          initialWeight: 0.9,
          initialInstanceCount: 1,
          minCapacity: 1,
          maxCapacity: 4,
          modelArtifactKey: INITIAL_MODEL_ARTIFACT_KEY,
        },
        [VariantName.CHALLENGER]: {
          initialWeight: 0.1,
          initialInstanceCount: 1,
          minCapacity: 1,
          maxCapacity: 2,
          modelArtifactKey: INITIAL_MODEL_ARTIFACT_KEY,
        },
      },
      invocationsPerInstanceTarget: 6000,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
      blueGreen: {
        trafficRouting: 'CANARY',
        stepPercent: 10,
        waitIntervalSeconds: 300,
        terminationWaitSeconds: 300,
        maximumExecutionTimeoutSeconds: 3600,
      },
      error5xxPercentThreshold: 1,
      modelLatencyP99Milliseconds: 200,
    },
    training: {
      trainer: 'gfr',
      instanceType: 'ml.m5.xlarge',
      xgboostInstanceCount: 2,
      xgboostContentType: 'application/x-parquet',
      processingInstanceType: 'ml.m5.xlarge',
      volumeSizeGb: 30,
      maxRuntimeSeconds: 4 * 3600,
      hyperparameters: {},
      trainDays: 14,
      validationDays: 2,
      testDays: 2,
      gapHours: 0,
    },
    schedules: { driftCheck: 'rate(4 hours)', retrain: 'rate(1 day)' },
    drift: { windowHours: 24, psiThreshold: 0.2, jensenShannonThreshold: 0.1, minRecords: 1000 },
    gate: {
      aucTolerance: 0.005,
      logLossTolerance: 0.01,
      maxCalibrationError: 0.05,
      challengerTrafficPercent: 10,
    },
    retention: { captureDays: 90, trainingSetDays: 30, noncurrentVersionDays: 30, logDays: 90 },
    reserveHandlerConcurrency: true,
  };
}

/** The configuration is invalid; the message lists every problem with its path and value. */
export class ConfigError extends GfrError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      'CDK_CONFIG_INVALID',
      `invalid gfr configuration (${source}):\n  ${problems.join('\n  ')}`,
    );
  }
}

/** A plain JSON object whose values replace the defaults key by key, recursively. */
export type ConfigOverrides = { readonly [key: string]: unknown };

/**
 * Validates `overrides` on top of the stage's defaults. Every problem is collected before one
 * {@link ConfigError} is thrown, so a bad file is fixed in one round.
 */
export function resolveConfig(
  stage: string,
  overrides: ConfigOverrides = {},
  source = 'overrides',
): GfrConfig {
  const merged = mergeOverrides(defaultConfig(stage), overrides);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => {
        const at = issue.path.join('.');
        return `${at || '(root)'}: ${issue.message} (value: ${JSON.stringify(valueAt(merged, issue.path))})`;
      }),
    );
  }

  const problems = crossFieldProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
}

/**
 * Reads the configuration from a construct's context: `gfr:stage` (default `dev`), the JSON file
 * named by `gfr:config` (relative to the working directory), then `gfr:account` and
 * `gfr:region`.
 */
export function loadConfig(node: Node): GfrConfig {
  const stage = String(node.tryGetContext(STAGE_CONTEXT_KEY) ?? 'dev');
  const file = node.tryGetContext(CONFIG_FILE_CONTEXT_KEY) as string | undefined;
  const overrides: Record<string, unknown> = file ? readConfigFile(file) : {};

  const account = node.tryGetContext(ACCOUNT_CONTEXT_KEY) as string | undefined;
  const region = node.tryGetContext(REGION_CONTEXT_KEY) as string | undefined;
  if (account !== undefined) overrides.account = String(account);
  if (region !== undefined) overrides.region = String(region);
  return resolveConfig(stage, overrides, file ?? 'context');
}

function readConfigFile(file: string): Record<string, unknown> {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new ConfigError(resolved, [`cannot read the file: ${(error as Error).message}`]);
  }

  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(resolved, ['the file must hold one JSON object']);
    }
    return { ...(value as Record<string, unknown>) };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(resolved, [`not JSON: ${(error as Error).message}`]);
  }
}

function crossFieldProblems(config: GfrConfig): string[] {
  const problems: string[] = [];
  const variants = Object.entries(config.endpoint.variants).filter(
    (entry): entry is [string, VariantConfig] => entry[1] !== undefined,
  );
  for (const [name, variant] of variants) {
    const at = `endpoint.variants.${name}`;
    if (variant.minCapacity > variant.maxCapacity) {
      problems.push(
        `${at}: minCapacity ${variant.minCapacity} exceeds maxCapacity ${variant.maxCapacity}`,
      );
    }
    if (
      variant.initialInstanceCount < variant.minCapacity ||
      variant.initialInstanceCount > variant.maxCapacity
    ) {
      problems.push(
        `${at}: initialInstanceCount ${variant.initialInstanceCount} lies outside ` +
          `[${variant.minCapacity}, ${variant.maxCapacity}]`,
      );
    }
  }

  // SageMaker's built-in XGBoost refuses to train without a number of rounds.
  if (config.training.trainer === 'xgboost' && !('num_round' in config.training.hyperparameters)) {
    problems.push('training.hyperparameters: the xgboost trainer needs num_round');
  }

  if (variants.every(([, variant]) => variant.initialWeight === 0)) {
    problems.push('endpoint.variants: every initialWeight is 0, so no variant would get traffic');
  }
  return problems;
}

function mergeOverrides(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    // `null` removes an optional part, e.g. `"challenger": null` for a single variant.
    if (value === null) delete merged[key];
    else merged[key] = key in base ? mergeOverrides(base[key], value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, at: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of at) {
    if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

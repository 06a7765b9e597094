import { createHash } from 'node:crypto';

import { InvalidExperimentError } from './errors';

/** Buckets a user hashes into: shares are resolved to 0.01 %. */
export const bucketCount = 10_000;

/** The arm name holdout users are logged under. */
export const holdoutVariant = 'holdout';

/** One arm of an experiment. */
export interface VariantDefinition {
  /** Arm name, logged with every exposure (e.g. `model`, `popularity`). */
  name: string;
  /** Relative weight (any positive number; the weights are normalised). */
  weight: number;
  /**
   * The endpoint's production variant that serves this arm, sent as SageMaker's
   * `TargetVariant`; default: the arm's name.
   */
  targetVariant?: string;
}

/** A user-randomized experiment: who gets which arm. */
export interface ExperimentDefinition {
  /** Experiment name; part of the hash and of the log prefix `experiments/<name>/`. */
  name: string;
  /**
   * Salt of the assignment hash (default: the name). Changing it reshuffles every user, which
   * is how a rerun avoids carrying over the previous run's effects.
   */
  salt?: string;
  /** The arms, at least two; the first is the control unless {@link control} says otherwise. */
  variants: VariantDefinition[];
  /** Arm the others are compared with (default: the first). */
  control?: string;
  /**
   * Users kept out of the treatments: they are served the control's production variant and
   * logged as the arm `holdout`. The holdout hashes with its own salt, so experiments that
   * share `holdout.salt` hold out the same users. Default: none.
   */
  holdout?: { share: number; salt?: string };
}

/** The definition with defaults applied and checked; build with {@link resolveExperiment}. */
export interface ResolvedExperiment {
  name: string;
  salt: string;
  control: string;
  variants: readonly Required<VariantDefinition>[];
  holdout: { share: number; salt: string } | null;
  /** Expected share of users per arm, holdout included (sums to 1). */
  expectedShares: Readonly<Record<string, number>>;
  /** Upper bucket bound (exclusive) of each variant over 0..bucketCount-1. */
  bucketBounds: readonly number[];
}

/** Where one user lands. */
export interface Assignment {
  experiment: string;
  userId: string;
  /** The arm the user is logged under (`holdout` for held-out users). */
  variant: string;
  /** Production variant that serves the user (SageMaker `TargetVariant`). */
  targetVariant: string;
  /** The user's experiment bucket, 0..9999. */
  bucket: number;
  holdout: boolean;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Checks a definition and fills its defaults; throws {@link InvalidExperimentError} naming the
 * field. Names are 1–63 characters of letters, digits, `.`, `_` and `-`: they become S3 key
 * parts and SageMaker variant names.
 */
export function resolveExperiment(definition: ExperimentDefinition): ResolvedExperiment {
  if (typeof definition?.name !== 'string' || !namePattern.test(definition.name)) {
    throw new InvalidExperimentError('name', definition?.name, 'must match ' + namePattern);
  }
  const salt = definition.salt ?? definition.name;
  if (typeof salt !== 'string' || salt === '') {
    throw new InvalidExperimentError('salt', salt, 'must be a non-empty string');
  }
  if (!Array.isArray(definition.variants) || definition.variants.length < 2) {
    throw new InvalidExperimentError('variants', definition.variants, 'must list two arms or more');
  }
  const names = new Set<string>();
  const variants = definition.variants.map((variant, index) => {
    const field = `variants[${index}]`;
    if (typeof variant?.name !== 'string' || !namePattern.test(variant.name)) {
      throw new InvalidExperimentError(`${field}.name`, variant?.name, 'must match ' + namePattern);
    }
    if (variant.name === holdoutVariant || names.has(variant.name)) {
      throw new InvalidExperimentError(
        `${field}.name`,
        variant.name,
        'must be unique, not holdout',
      );
    }
    names.add(variant.name);
    if (typeof variant.weight !== 'number' || !(variant.weight > 0) || !isFinite(variant.weight)) {
      throw new InvalidExperimentError(`${field}.weight`, variant.weight, 'must be > 0');
    }
    return {
      name: variant.name,
      weight: variant.weight,
      targetVariant: variant.targetVariant ?? variant.name,
    };
  });
  const control = definition.control ?? variants[0].name;
  if (!names.has(control)) {
    throw new InvalidExperimentError('control', control, 'must name one of the variants');
  }

  let holdout: ResolvedExperiment['holdout'] = null;
  if (definition.holdout) {
    const share = definition.holdout.share;
    if (typeof share !== 'number' || !(share >= 0 && share < 1)) {
      throw new InvalidExperimentError('holdout.share', share, 'must be in [0, 1)');
    }
    if (share > 0) holdout = { share, salt: definition.holdout.salt ?? `${salt}.holdout` };
  }

  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  let cumulative = 0;
  const bucketBounds = variants.map((variant) => {
    cumulative += variant.weight;
    return Math.round((cumulative / total) * bucketCount);
  });
  const inExperiment = 1 - (holdout?.share ?? 0);
  const expectedShares: Record<string, number> = {};
  variants.forEach((variant, index) => {
    const buckets = bucketBounds[index] - (index === 0 ? 0 : bucketBounds[index - 1]);
    expectedShares[variant.name] = (inExperiment * buckets) / bucketCount;
  });
  if (holdout) expectedShares[holdoutVariant] = holdout.share;
  return { name: definition.name, salt, control, variants, holdout, expectedShares, bucketBounds };
}

/**
 * A bucket in 0..9999 from the first 64 bits of SHA-256 of `salt:key:userId`: the same on
 * every process, platform and restart, and independent between salts. (64 bits modulo 10,000
 * biases a bucket by less than 10⁻¹⁵.)
 */
export function hashBucket(salt: string, key: string, userId: string): number {
  const digest = createHash('sha256').update(`${salt}:${key}:${userId}`).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(bucketCount));
}

/**
 * Assigns users of one experiment deterministically: the same user always gets the same arm
 * for the same name, salt and weights, with no state to store or share between processes.
 */
export class ExperimentAssigner {
  readonly experiment: ResolvedExperiment;

  constructor(definition: ExperimentDefinition | ResolvedExperiment) {
    this.experiment = 'bucketBounds' in definition ? definition : resolveExperiment(definition);
  }

  /** The user's arm; throws {@link InvalidExperimentError} for an empty user id. */
  assign(userId: string): Assignment {
    if (typeof userId !== 'string' || userId === '') {
      throw new InvalidExperimentError('user id', userId, 'must be a non-empty string');
    }
    const { name, salt, holdout, variants, bucketBounds } = this.experiment;
    const bucket = hashBucket(salt, name, userId);
    if (holdout && hashBucket(holdout.salt, 'holdout', userId) < holdout.share * bucketCount) {
      const control = variants.find((variant) => variant.name === this.experiment.control)!;
      return {
        experiment: name,
        userId,
        variant: holdoutVariant,
        targetVariant: control.targetVariant,
        bucket,
        holdout: true,
      };
    }
    const index = bucketBounds.findIndex((bound) => bucket < bound);
    const variant = variants[index];
    return {
      experiment: name,
      userId,
      variant: variant.name,
      targetVariant: variant.targetVariant,
      bucket,
      holdout: false,
    };
  }
}

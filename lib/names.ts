/**
 * The production variants of the ranker endpoint. Names are constants, never model versions:
 * scaling targets embed them, and the deploy handler swaps models behind them.
 */
export const VariantName = {
  CHAMPION: 'champion',
  CHALLENGER: 'challenger',
} as const;

/** One of {@link VariantName}'s values. */
export type VariantNameValue = (typeof VariantName)[keyof typeof VariantName];

/** The Powertools service names of the handlers (logs and metric dimension `service`). */
export const HandlerServiceName = {
  RETRAIN: 'gfr-retrain',
  DEPLOY: 'gfr-deploy',
  DRIFT_CHECK: 'gfr-drift-check',
} as const;

/**
 * Physical names of one stage. Everything SageMaker-side that the automation creates or updates
 * starts with {@link GfrNames.prefix}, so IAM can scope actions to `<type>/<prefix>*` ARNs.
 */
export class GfrNames {
  /** `gfr-<stage>`: the prefix of every physical name of the stage. */
  readonly prefix: string;

  constructor(readonly stage: string) {
    this.prefix = `gfr-${stage}`;
  }

  /** The stable endpoint name the client and the handlers address. */
  get endpointName(): string {
    return `${this.prefix}-ranker`;
  }

  /** The model package group of the ranker; retraining job names start with it. */
  get modelPackageGroupName(): string {
    return `${this.prefix}-ranker`;
  }

  /** Feature group names of the online store: users, items and the global record. */
  featureGroupName(entity: 'users' | 'items' | 'global'): string {
    return `${this.prefix}-${entity}`;
  }

  /** CloudFormation stack name of one part, e.g. `Gfr-Dev-Endpoint`. */
  stackName(part: string): string {
    return `Gfr-${capitalize(this.stage)}-${part}`;
  }

  /** Name of a CloudWatch alarm of this stage. */
  alarmName(what: string): string {
    return `${this.prefix}-${what}`;
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';

import { GfrError } from '../packages/core/src/errors';

/** The version of SageMaker's built-in XGBoost the distributed trainer runs. */
export const XGBOOST_VERSION = '3.0-5';

/**
 * Accounts of SageMaker's `sagemaker-xgboost` repositories per region (commercial partition),
 * as published by the SageMaker Python SDK (`image_uri_config/xgboost.json`, the same for every
 * version from 1.0-1 on).
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html
 */
export const XGBOOST_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** The stack's region has no known built-in XGBoost registry. */
export class XgboostRegionError extends GfrError {
  constructor(readonly region: string) {
    super(
      'CDK_XGBOOST_REGION',
      `no SageMaker built-in XGBoost registry is known for region ${region}; ` +
        `add it to XGBOOST_REGISTRY_ACCOUNTS`,
    );
  }
}

/**
 * The built-in XGBoost image URI in `scope`'s region: a literal when the region is known at
 * synth time, otherwise a `Fn::FindInMap` over {@link XGBOOST_REGISTRY_ACCOUNTS}.
 */
export function xgboostImageUri(scope: Construct): string {
  const stack = Stack.of(scope);
  const repository = `sagemaker-xgboost:${XGBOOST_VERSION}`;
  if (!Token.isUnresolved(stack.region)) {
    const account = XGBOOST_REGISTRY_ACCOUNTS[stack.region];
    if (account === undefined) throw new XgboostRegionError(stack.region);
    const suffix = RegionInfo.get(stack.region).domainSuffix ?? stack.urlSuffix;
    return `${account}.dkr.ecr.${stack.region}.${suffix}/${repository}`;
  }

  const mapping =
    (stack.node.tryFindChild('XgboostRegistry') as CfnMapping | undefined) ??
    new CfnMapping(stack, 'XgboostRegistry', {
      mapping: Object.fromEntries(
        Object.entries(XGBOOST_REGISTRY_ACCOUNTS).map(([region, account]) => [region, { account }]),
      ),
    });
  const account = mapping.findInMap(Aws.REGION, 'account');
  return `${account}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${repository}`;
}

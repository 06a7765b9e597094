import * as logs from 'aws-cdk-lib/aws-logs';

/** The shortest CloudWatch Logs retention that keeps logs at least `days` days. */
export function logRetentionOf(days: number): logs.RetentionDays {
  const known = Object.values(logs.RetentionDays).filter(
    (value): value is logs.RetentionDays => typeof value === 'number' && value > 0,
  );
  return known.sort((a, b) => a - b).find((value) => value >= days) ?? logs.RetentionDays.INFINITE;
}

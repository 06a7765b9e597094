import * as fs from 'node:fs';
import { z } from 'zod';

import { listLogFiles } from './experiment-log';
import { MalformedLine } from './report';

/**
 * A user's activity before the experiment, the covariate of CUPED: one JSON line per user with
 * the same quantities the experiment measures. Users absent from the file had no activity.
 */
export interface PrePeriodRecord {
  user_id: string;
  impressions: number;
  clicks: number;
  purchases: number;
  revenue: number;
}

const count = z.number().finite().nonnegative();
const prePeriodSchema = z.object({
  user_id: z.string().min(1),
  impressions: count,
  clicks: count,
  purchases: count,
  revenue: count,
});

/** Pre-period rows by user, with the lines that could not be read. */
export interface PrePeriodData {
  users: Map<string, PrePeriodRecord>;
  files: string[];
  malformed: MalformedLine[];
}

/** Reads pre-period rows from a `.jsonl` file or the `.jsonl` files under a folder. */
export function readPrePeriod(location: string): PrePeriodData {
  const files = listLogFiles(location);
  const users = new Map<string, PrePeriodRecord>();
  const malformed: MalformedLine[] = [];
  for (const file of files) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (text.trim() === '') return;
        const line = index + 1;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          malformed.push({ file, line, reason: `not JSON: ${(error as Error).message}` });
          return;
        }
        const parsed = prePeriodSchema.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const field = issue.path.join('.');
          const given = (value as Record<string, unknown> | null)?.[field];
          malformed.push({
            file,
            line,
            field,
            reason: `${issue.message} (value ${JSON.stringify(given) ?? 'missing'})`,
          });
          return;
        }
        const row = parsed.data;
        if (users.has(row.user_id)) {
          malformed.push({ file, line, field: 'user_id', reason: `repeats ${row.user_id}` });
          return;
        }
        users.set(row.user_id, row);
      });
  }
  return { users, files, malformed };
}

import { z } from 'zod';

import { MalformedLine } from './report';

/** One item of a shown feed. */
export interface ExposedItem {
  item_id: string;
  /** 1-based slot. */
  position: number;
}

/**
 * A ranked feed shown to a user in an experiment: written by the client (or the simulation)
 * when the feed is served, one JSON line each.
 */
export interface ExposureRecord {
  type: 'exposure';
  experiment: string;
  user_id: string;
  /** The arm the user is assigned to (`holdout` for held-out users). */
  variant: string;
  /** The request id the app and the endpoint share; outcomes name it when they can. */
  request_id: string;
  /** When the feed was served, ISO-8601 UTC. */
  time: string;
  items: ExposedItem[];
}

/** What a user did after seeing a feed: a click, or a purchase with its revenue. */
export interface OutcomeRecord {
  type: 'click' | 'purchase';
  user_id: string;
  /** The feed request the action followed, when the app knows it (it should). */
  request_id?: string | null;
  item_id?: string | null;
  /** When the user acted, ISO-8601 UTC. */
  time: string;
  /** Purchase amount in the log's currency; 0 for clicks and when unknown. */
  revenue?: number;
}

/** Either kind of line. */
export type ExperimentRecord = ExposureRecord | OutcomeRecord;

/**
 * ISO 8601 date and time with a zone (`Z` or an offset): `Date.parse` alone also takes "1"
 * (the year 2001) and times without a zone (read in the machine's own zone).
 */
const isoInstantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const instant = z
  .string()
  .refine(
    (text) => isoInstantPattern.test(text) && !Number.isNaN(Date.parse(text)),
    'not an ISO 8601 time with a zone, such as 2024-03-15T10:01:00Z',
  );
const identifier = z.string().min(1).max(256);

const exposureSchema = z.object({
  type: z.literal('exposure'),
  experiment: identifier,
  user_id: identifier,
  variant: identifier,
  request_id: identifier,
  time: instant,
  items: z.array(z.object({ item_id: identifier, position: z.number().int().positive() })),
});

const outcomeSchema = z.object({
  type: z.enum(['click', 'purchase']),
  user_id: identifier,
  request_id: identifier.nullish(),
  item_id: identifier.nullish(),
  time: instant,
  revenue: z.number().finite().nonnegative().optional(),
});

/** A parsed line: the record, or why the line was refused. */
export type ParsedLine<T> = { record: T } | { problem: Omit<MalformedLine, 'file' | 'line'> };

/** Parses one exposure line; never throws. */
export function parseExposureLine(text: string): ParsedLine<ExposureRecord> {
  return parseWith(text, exposureSchema) as ParsedLine<ExposureRecord>;
}

/** Parses one outcome line; never throws. */
export function parseOutcomeLine(text: string): ParsedLine<OutcomeRecord> {
  return parseWith(text, outcomeSchema) as ParsedLine<OutcomeRecord>;
}

function parseWith(text: string, schema: z.ZodType): ParsedLine<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: { reason: `not JSON: ${(error as Error).message}` } };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { record: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue.path.join('.');
  const given = issue.path.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as never)[key] : undefined),
    value,
  );
  return {
    problem: {
      field: field || undefined,
      reason: `${issue.message} (value ${JSON.stringify(given) ?? 'missing'})`,
    },
  };
}

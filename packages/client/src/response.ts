import {
  ChannelName,
  InvocationResponse,
  RankedCandidate,
  channelNames,
  invocationSchemaVersion,
} from '@gfr/core';

import { MalformedResponseError } from './transport/errors';

const channels = new Set<string>(channelNames);

/**
 * Checks that an endpoint's answer is a version-1 response: schema version, model version,
 * request id, and items with an id, a known channel, consecutive 1-based positions and finite
 * probabilities and scores. Throws {@link MalformedResponseError} naming the first bad field.
 */
export function parseInvocationResponse(body: unknown): InvocationResponse {
  const fail = (field: string, problem: string, value: unknown): never => {
    const shown = value === undefined ? 'missing' : JSON.stringify(value).slice(0, 80);
    throw new MalformedResponseError(`${field}: ${problem} (got ${shown})`);
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('(body)', 'is not a JSON object', body);
  }
  const response = body as Record<string, unknown>;
  if (response.schema_version !== invocationSchemaVersion) {
    fail('schema_version', `is not "${invocationSchemaVersion}"`, response.schema_version);
  }
  if (typeof response.model_version !== 'string' || response.model_version === '') {
    fail('model_version', 'is not a non-empty string', response.model_version);
  }
  if (response.request_id !== null && typeof response.request_id !== 'string') {
    fail('request_id', 'is neither a string nor null', response.request_id);
  }
  if (!Array.isArray(response.items)) return fail('items', 'is not an array', response.items);

  const items: RankedCandidate[] = response.items.map((entry: unknown, index) => {
    const field = `items[${index}]`;
    if (typeof entry !== 'object' || entry === null) return fail(field, 'is not an object', entry);
    const item = entry as Record<string, unknown>;
    if (typeof item.item_id !== 'string' || item.item_id === '') {
      fail(`${field}.item_id`, 'is not a non-empty string', item.item_id);
    }
    if (typeof item.channel !== 'string' || !channels.has(item.channel)) {
      fail(`${field}.channel`, `is not one of ${channelNames.join(', ')}`, item.channel);
    }
    if (item.position !== index + 1)
      fail(`${field}.position`, `is not ${index + 1}`, item.position);
    for (const name of ['p_ctr', 'p_cvr', 'score'] as const) {
      if (typeof item[name] !== 'number' || !Number.isFinite(item[name])) {
        fail(`${field}.${name}`, 'is not a finite number', item[name]);
      }
    }
    for (const name of ['p_ctr', 'p_cvr'] as const) {
      const probability = item[name] as number;
      if (probability < 0 || probability > 1) {
        fail(`${field}.${name}`, 'is not a probability', probability);
      }
    }
    return {
      item_id: item.item_id as string,
      channel: item.channel as ChannelName,
      position: index + 1,
      p_ctr: item.p_ctr as number,
      p_cvr: item.p_cvr as number,
      score: item.score as number,
    };
  });

  return {
    schema_version: invocationSchemaVersion,
    request_id: (response.request_id as string | null) ?? null,
    model_version: response.model_version as string,
    items,
  };
}

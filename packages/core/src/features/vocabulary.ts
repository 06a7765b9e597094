import { DuckSession } from '../duckdb/database';
import { FeatureSettings } from './feature-spec';

/** Most values a categorical vocabulary keeps; rarer values share the missing code. */
export const maximumVocabularySize = 64;

/**
 * Codes for the users' geography and acquisition channel, most frequent first (ties by value),
 * read from the registered `users` view. Values beyond {@link maximumVocabularySize} are left
 * out on purpose: a tree cannot use hundreds of arbitrary codes well.
 */
export async function buildVocabularies(
  session: DuckSession,
): Promise<FeatureSettings['vocabularies']> {
  const vocabulary = async (column: string) => {
    const rows = await session.jsonRows(`
      SELECT ${column} AS value, count(*) AS users FROM users WHERE ${column} IS NOT NULL
      GROUP BY ${column} ORDER BY users DESC, value LIMIT ${maximumVocabularySize}`);
    return rows.map((row) => String(row.value));
  };
  return {
    user_geo: await vocabulary('geo'),
    user_acquisition_channel: await vocabulary('acquisition_channel'),
  };
}

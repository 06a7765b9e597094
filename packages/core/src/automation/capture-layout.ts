/**
 * SageMaker Data Capture's key layout: `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl`,
 * hours in UTC. A drift check lists only the hour folders of its window instead of the whole
 * prefix, which grows by a folder an hour per variant for the endpoint's life.
 */

const hourMilliseconds = 3_600_000;

/** `yyyy/mm/dd/hh` of a time in UTC. */
export function captureHourPath(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

/**
 * The hour folders `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/` of the `hours` hours ending
 * with the hour that holds `end` (that hour included, since capture files land minutes late),
 * oldest first. `prefix` may end with a slash or not; an empty prefix means the bucket's root.
 */
export function captureHourPrefixes(
  prefix: string,
  endpointName: string,
  variantName: string,
  end: Date,
  hours: number,
): string[] {
  if (!Number.isInteger(hours) || hours < 1) {
    throw new RangeError(`hours must be a positive integer, got ${hours}`);
  }
  const base = [prefix.replace(/\/+$/, ''), endpointName, variantName].filter(Boolean).join('/');
  const lastHour = Math.floor(end.getTime() / hourMilliseconds) * hourMilliseconds;
  const prefixes: string[] = [];
  for (let hour = hours - 1; hour >= 0; hour--) {
    prefixes.push(`${base}/${captureHourPath(new Date(lastHour - hour * hourMilliseconds))}/`);
  }
  return prefixes;
}

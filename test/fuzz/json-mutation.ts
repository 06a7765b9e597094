import fc from 'fast-check';

/** A place in a JSON document: object keys and array indexes from the root. */
export type JsonPath = (string | number)[];

/** One change to a valid document: a value replaced, a key removed or a key added. */
export interface JsonMutation {
  path: JsonPath;
  kind: 'set' | 'delete';
  value?: unknown;
}

/** Every path of `value` (the root excluded), parents before their children. */
export function jsonPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => {
    const path = [...prefix, key];
    return [path, ...jsonPaths(child, path)];
  });
}

/** A deep copy of `document` with `mutation` applied. */
export function applyMutation(document: unknown, mutation: JsonMutation): unknown {
  const copy = structuredClone(document);
  let parent = copy as Record<string | number, unknown>;
  for (const key of mutation.path.slice(0, -1)) parent = parent[key] as typeof parent;
  const last = mutation.path[mutation.path.length - 1];
  if (mutation.kind === 'set') parent[last] = mutation.value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

/** `candidates[3].price`: how the invocation parser names a path. */
export function formatJsonPath(path: JsonPath): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`,
    )
    .join('');
}

/** Values at the edges of what a field accepts, and values of every other type. */
export const edgeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    '',
    ' ',
    0,
    -0,
    -1,
    1,
    0.5,
    1.5,
    2001,
    Number.MAX_SAFE_INTEGER,
    1e308,
    -1e308,
    5e-324,
    true,
    [],
    {},
    'x'.repeat(200),
    '\u0000',
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A single mutation of one of `document`'s paths. */
export function mutationOf(document: unknown): fc.Arbitrary<JsonMutation> {
  const paths = jsonPaths(document);
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.record({ path: fc.constantFrom(...paths), value: edgeValue }) },
      { weight: 1, arbitrary: fc.record({ path: fc.constantFrom(...paths) }) },
    )
    .map((picked) =>
      'value' in picked
        ? { path: picked.path, kind: 'set' as const, value: picked.value }
        : { path: picked.path, kind: 'delete' as const },
    );
}

/** Whether one of two parser paths is the other or an ancestor of it. */
export function onSameBranch(reported: string, mutated: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(outer + '.') || inner.startsWith(outer + '[');
  return within(reported, mutated) || within(mutated, reported);
}

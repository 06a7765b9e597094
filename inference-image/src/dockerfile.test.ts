import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Docker cannot build here, so the Dockerfile is checked statically against SageMaker's
 * container contract and the project's rules (reference §8, pitfall P10).
 */
const imageDir = path.join(__dirname, '..');
const repositoryRoot = path.join(imageDir, '..');

interface Instruction {
  keyword: string;
  argument: string;
  line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
function readInstructions(file: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const text = raw.trim();
      if (pending === null && (text === '' || text.startsWith('#'))) return;
      const joined: { text: string; line: number } = pending
        ? { text: `${pending.text} ${text}`, line: pending.line }
        : { text, line: index + 1 };
      if (joined.text.endsWith('\\')) {
        pending = { text: joined.text.slice(0, -1).trim(), line: joined.line };
        return;
      }
      pending = null;
      const [keyword, ...rest] = joined.text.split(/\s+/);
      instructions.push({
        keyword: keyword.toUpperCase(),
        argument: rest.join(' '),
        line: joined.line,
      });
    });
  return instructions;
}

const instructions = readInstructions(path.join(imageDir, 'Dockerfile'));
const stages = instructions.reduce<Instruction[][]>((all, instruction) => {
  if (instruction.keyword === 'FROM') all.push([]);
  all[all.length - 1]?.push(instruction);
  return all;
}, []);
const runtime = stages[stages.length - 1];
const inRuntime = (keyword: string) => runtime.filter((i) => i.keyword === keyword);

test('every stage builds from an official Node image of version 22 or later for linux/amd64', () => {
  expect(stages.length).toBeGreaterThanOrEqual(2);
  for (const [from] of stages) {
    const match = /^--platform=(\S+)\s+node:(\d+)[-.\w]*(\s+AS\s+\w+)?$/i.exec(from.argument);
    expect({ line: from.line, from: from.argument, match: match !== null }).toEqual({
      line: from.line,
      from: from.argument,
      match: true,
    });
    expect(match![1]).toBe('linux/amd64');
    expect(Number(match![2])).toBeGreaterThanOrEqual(22);
  }
});

test('the runtime stage runs as a non-root user', () => {
  const users = inRuntime('USER');
  expect(users.length).toBeGreaterThan(0);
  const user = users[users.length - 1].argument.split(':')[0];
  expect(['root', '0']).not.toContain(user);
});

test('the entry point is exec form and takes serve or train as its argument', () => {
  const entrypoints = inRuntime('ENTRYPOINT');
  expect(entrypoints).toHaveLength(1);
  expect(JSON.parse(entrypoints[0].argument)).toEqual(['node', '/opt/program/entry.js']);
  expect(inRuntime('CMD')).toEqual([]);
});

test('the image declares it accepts SAGEMAKER_BIND_TO_PORT and exposes 8080', () => {
  expect(inRuntime('LABEL').map((i) => i.argument)).toContain(
    'com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true',
  );
  expect(inRuntime('EXPOSE').map((i) => i.argument)).toEqual(['8080']);
});

test('production dependencies only reach the runtime: dev dependencies stay in the build', () => {
  const installs = instructions.filter(
    (i) => i.keyword === 'RUN' && /npm (ci|install)/.test(i.argument),
  );
  const runtimeSources = runtime
    .filter((i) => i.keyword === 'COPY')
    .map((i) => /--from=(\S+)/.exec(i.argument)?.[1]);
  expect(runtimeSources.every((source) => source !== undefined)).toBe(true);
  const dependencyStage = stages.find((stage) =>
    stage.some((i) => i.keyword === 'RUN' && /--omit=dev/.test(i.argument)),
  );
  expect(dependencyStage).toBeDefined();
  expect(inRuntime('RUN').some((i) => /npm (ci|install)/.test(i.argument))).toBe(false);
  expect(installs.length).toBe(2);
});

test('the entry point is the compiled entry of this package', () => {
  expect(
    runtime.some(
      (i) => i.keyword === 'COPY' && /\/build\/inference-image\/dist \.\/$/.test(i.argument),
    ),
  ).toBe(true);
  expect(fs.existsSync(path.join(imageDir, 'src', 'entry.ts'))).toBe(true);
});

test('every file the build copies from the context exists and passes the context filter', () => {
  const ignore = fs
    .readFileSync(path.join(imageDir, 'Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const included = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
  const sources = instructions
    .filter((i) => i.keyword === 'COPY' && !i.argument.startsWith('--from'))
    .flatMap((i) => i.argument.split(/\s+/).slice(0, -1));

  expect(ignore[0]).toBe('*');
  for (const source of sources) {
    const relative = source.replace(/\/$/, '');
    expect({ source, exists: fs.existsSync(path.join(repositoryRoot, relative)) }).toEqual({
      source,
      exists: true,
    });
    const passes = included.some(
      (pattern) =>
        relative === pattern ||
        relative.startsWith(`${pattern}/`) ||
        pattern.startsWith(`${relative}/`),
    );
    expect({ source, passes }).toEqual({ source, passes: true });
  }
});

test('each npm ci stage has every workspace manifest the lock file names', () => {
  const rootManifest = JSON.parse(
    fs.readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8'),
  ) as { workspaces: string[] };
  const installing = stages.filter((stage) =>
    stage.some((i) => i.keyword === 'RUN' && /npm ci/.test(i.argument)),
  );

  expect(installing).toHaveLength(2);
  for (const stage of installing) {
    const copied = stage
      .filter((i) => i.keyword === 'COPY' && !i.argument.startsWith('--from'))
      .flatMap((i) => i.argument.split(/\s+/).slice(0, -1));
    for (const workspace of rootManifest.workspaces) {
      expect(copied).toContain(`${workspace}/package.json`);
    }
  }
});

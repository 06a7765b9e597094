import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { analyzeExperimentLogs } from './analyze-logs';
import { joinExperiment } from './attribution';
import { ExperimentLogWriter, readExposures, readOutcomes } from './experiment-log';
import { ExposureRecord, OutcomeRecord } from './records';

const hour = 3_600_000;
const t0 = Date.UTC(2024, 2, 1, 10);
const at = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();

function exposure(
  user: string,
  variant: string,
  request: string,
  offsetMs: number,
  items = ['a', 'b'],
): ExposureRecord {
  return {
    type: 'exposure',
    experiment: 'exp',
    user_id: user,
    variant,
    request_id: request,
    time: at(offsetMs),
    items: items.map((item_id, index) => ({ item_id, position: index + 1 })),
  };
}

describe('exposure and outcome logs', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-experiment-log-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('records round-trip through the day-partitioned layout', () => {
    const writer = new ExperimentLogWriter({ root, experiment: 'exp', writerId: 'w1' });
    writer.writeExposure(exposure('u1', 'control', 'r1', 0));
    writer.writeExposure(exposure('u2', 'model', 'r2', 20 * hour));
    writer.writeOutcome({
      type: 'purchase',
      user_id: 'u1',
      request_id: 'r1',
      item_id: 'a',
      time: at(hour),
      revenue: 12.5,
    });
    writer.close();
    const directory = path.join(root, 'experiments', 'exp');
    expect(
      fs.existsSync(path.join(directory, 'exposures', 'date=2024-03-01', 'part-w1.jsonl')),
    ).toBe(true);
    expect(
      fs.existsSync(path.join(directory, 'exposures', 'date=2024-03-02', 'part-w1.jsonl')),
    ).toBe(true);
    const exposures = readExposures(path.join(directory, 'exposures'));
    expect(exposures.records.map((record) => record.request_id)).toEqual(['r1', 'r2']);
    expect(exposures.malformed).toEqual([]);
    expect(readOutcomes(path.join(directory, 'outcomes')).records[0].revenue).toBe(12.5);
  });

  test('malformed lines are reported with file, line, field and value, never dropped silently', () => {
    const file = path.join(root, 'bad-outcomes.jsonl');
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ type: 'click', user_id: 'u1', time: at(0) }),
        '{"type": "click", "user_id": "u1", "time": ',
        JSON.stringify({ type: 'refund', user_id: 'u1', time: at(0) }),
        JSON.stringify({ type: 'purchase', user_id: 'u1', time: at(0), revenue: -3 }),
        '',
      ].join('\n'),
    );
    const read = readOutcomes(file);
    expect(read.records).toHaveLength(1);
    expect(read.malformed.map(({ line, field }) => [line, field])).toEqual([
      [2, undefined],
      [3, 'type'],
      [4, 'revenue'],
    ]);
    expect(read.malformed[0]).toMatchObject({ file, reason: expect.stringMatching(/^not JSON/) });
    expect(read.malformed[2].reason).toContain('-3');
  });
});

describe('the join of outcomes to exposures', () => {
  const exposures = [
    exposure('u1', 'control', 'r1', 0),
    exposure('u1', 'control', 'r2', 30 * hour, ['c']),
    exposure('u2', 'model', 'r3', 0),
    exposure('u3', 'model', 'r4', 0),
    exposure('u3', 'control', 'r5', hour),
  ];
  const outcome = (
    fields: Partial<OutcomeRecord> & { user_id: string },
    offsetMs: number,
  ): OutcomeRecord => ({
    type: 'click',
    time: at(offsetMs),
    ...fields,
  });

  test('attributes by request within the window, by the user’s latest exposure without one', () => {
    const joined = joinExperiment(
      exposures,
      [
        outcome({ user_id: 'u1', request_id: 'r1', item_id: 'a' }, hour), // attributed
        outcome({ user_id: 'u1', request_id: 'r1', item_id: 'a' }, 25 * hour), // outside 24 h
        outcome({ user_id: 'u1', request_id: 'r1', item_id: 'z' }, hour), // item not shown
        outcome({ user_id: 'u1', request_id: 'r9' }, hour), // unknown request
        outcome({ user_id: 'u9' }, hour), // unknown user
        outcome({ user_id: 'u1', item_id: 'c', type: 'purchase', revenue: 10 }, 31 * hour), // by user → r2
        outcome({ user_id: 'u2', request_id: 'r3' }, -hour), // before the exposure
        outcome({ user_id: 'u3', request_id: 'r4' }, hour), // user in two arms
      ],
      24 * hour,
    );
    expect(joined.attributedOutcomes).toBe(3);
    expect(joined.outsideWindowOutcomes).toBe(2);
    expect(joined.unattributedOutcomes).toBe(3);
    expect(joined.usersInSeveralVariants).toBe(1);
    expect(joined.users.map((user) => user.userId).sort()).toEqual(['u1', 'u2']);
    const u1 = joined.users.find((user) => user.userId === 'u1')!;
    // Day 0: 2 impressions and one click; day 1: 1 impression, one purchase of 10.
    expect(Array.from(u1.daily)).toEqual([2, 1, 0, 0, 1, 0, 1, 10]);
  });

  test('analyzeExperimentLogs reads the definition beside the logs and lists malformed lines', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-experiment-analysis-'));
    const writer = new ExperimentLogWriter({ root, experiment: 'exp', writerId: 'w' });
    for (let user = 0; user < 40; user++) {
      const variant = user % 2 === 0 ? 'control' : 'model';
      writer.writeExposure(exposure(`u${user}`, variant, `r${user}`, user * 1000));
      if (user % 3 === 0)
        writer.writeOutcome(
          outcome({ user_id: `u${user}`, request_id: `r${user}` }, user * 1000 + 10),
        );
    }
    writer.close();
    const directory = path.join(root, 'experiments', 'exp');
    fs.writeFileSync(
      path.join(directory, 'experiment.json'),
      JSON.stringify({
        name: 'exp',
        variants: [
          { name: 'control', weight: 1 },
          { name: 'model', weight: 3 },
        ],
      }),
    );
    fs.appendFileSync(
      path.join(directory, 'outcomes', 'date=2024-03-01', 'part-w.jsonl'),
      'oops\n',
    );
    const report = analyzeExperimentLogs({
      exposures: path.join(directory, 'exposures'),
      outcomes: path.join(directory, 'outcomes'),
    });
    expect(report.experiment).toBe('exp');
    expect(report.sample_ratio.expected_share).toEqual({ control: 0.25, model: 0.75 });
    expect(report.sample_ratio.mismatch).toBe(true); // 20/20 against a 1:3 design
    expect(report.data_quality.malformed_lines).toBe(1);
    expect(report.data_quality.malformed[0]).toMatchObject({
      line: 15,
      reason: expect.stringMatching(/^not JSON/),
    });
    expect(report.data_quality.malformed[0].file).toMatch(/part-w\.jsonl$/);
    expect(report.variants.map((variant) => variant.users)).toEqual([20, 20]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('without a definition the most frequent experiment is analysed, the stray one noted', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-experiment-stray-'));
    const exposures = path.join(folder, 'exposures.jsonl');
    const lines = Array.from({ length: 40 }, (_, user) =>
      exposure(`u${user}`, user % 2 === 0 ? 'control' : 'model', `r${user}`, user * 1000),
    );
    lines.push({ ...exposure('u99', 'model', 'r99', 0), experiment: 'other' });
    fs.writeFileSync(exposures, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const outcomes = path.join(folder, 'outcomes.jsonl');
    fs.writeFileSync(outcomes, '');

    const report = analyzeExperimentLogs({ exposures, outcomes });

    expect(report.experiment).toBe('exp');
    expect(report.variants.map((variant) => variant.users)).toEqual([20, 20]);
    expect(report.data_quality.malformed).toContainEqual(
      expect.objectContaining({
        field: 'experiment',
        reason: expect.stringContaining('other experiments (other: 1) were set aside'),
      }),
    );
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('a log without one readable exposure fails naming its malformed lines', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-experiment-unreadable-'));
    const exposures = path.join(folder, 'exposures.jsonl');
    const stale = { ...exposure('u1', 'model', 'r1', 0), time: '1' };
    const zoneless = { ...exposure('u2', 'model', 'r2', 0), time: '2024-03-15T10:01:00' };
    fs.writeFileSync(exposures, [stale, zoneless].map((line) => JSON.stringify(line)).join('\n'));
    const outcomes = path.join(folder, 'outcomes.jsonl');
    fs.writeFileSync(outcomes, '');

    expect(() => analyzeExperimentLogs({ exposures, outcomes })).toThrow(
      new RegExp(
        `0 readable exposures, 2 malformed lines \\(${exposures}:1: time: not an ISO 8601 time ` +
          `with a zone.*${exposures}:2: time: not an ISO 8601 time with a zone`,
      ),
    );
    fs.rmSync(folder, { recursive: true, force: true });
  });
});

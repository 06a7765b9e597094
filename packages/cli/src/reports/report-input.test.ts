import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputNotFoundError } from '@gfr/core';

import { ReportFormatError, parseReport, readReportFile } from './report-input';
import { reportPage } from './write-report-page';

const driftReport = {
  model_version: 'm1',
  requests: 3,
  candidates: 300,
  unreadable_requests: 0,
  thresholds: { psi: 0.2, jensenShannon: 0.1, minimumRows: 200 },
  features: [
    {
      feature: 'price_z_user',
      rows: 300,
      psi: 0.5,
      jensen_shannon: 0.3,
      missing_share_reference: 0,
      missing_share_current: 0,
      drifted: true,
      judged: true,
    },
  ],
  drifted_features: ['price_z_user'],
};

test('a report is told apart by the fields only its kind has', () => {
  expect(parseReport(driftReport, 'r.json').kind).toBe('drift');
  expect(() => parseReport({ rows: 3 }, 'r.json')).toThrow(
    /r\.json: not a gfr report: expected a training report \(models\)/,
  );
  expect(() => parseReport([1], 'r.json')).toThrow('r.json: expected a JSON object');
});

test('a field of the wrong shape is named with its path and the value found', () => {
  const damaged = structuredClone(driftReport) as Record<string, unknown>;
  (damaged.features as Record<string, unknown>[])[0].psi = 'high';

  expect(() => parseReport(damaged, 'drift/report.json')).toThrow(ReportFormatError);
  expect(() => parseReport(damaged, 'drift/report.json')).toThrow(
    /drift\/report\.json: field features\.0\.psi of this drift report: .*number.* \(found "high"\)/,
  );
});

test('a missing or unparsable file says which file and why', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gfr-report-input-'));
  const broken = path.join(folder, 'report.json');
  fs.writeFileSync(broken, '{"models": ');

  expect(() => readReportFile(path.join(folder, 'absent.json'))).toThrow(InputNotFoundError);
  expect(() => readReportFile(broken)).toThrow(new RegExp(`${broken}: not JSON`));
});

test('names from the data cannot break out of the page or its script blocks', () => {
  const hostile = '</script><script>alert(1)</script><!--';
  const report = structuredClone(driftReport);
  report.features[0].feature = hostile;
  report.drifted_features = [hostile];

  const html = reportPage(parseReport(report, 'r.json')).render();

  expect(html).not.toContain(hostile);
  expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--');
  // The chart data keeps the name, escaped for the script element only.
  expect(html).toContain('<\\/script><script>alert(1)<\\/script>\\u003c!--');
});

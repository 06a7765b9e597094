import * as path from 'node:path';
import { writeFileAtomic } from '@gfr/core';

import { driftPage } from './drift-page';
import { experimentPage } from './experiment-page';
import { ReportPage } from './html-page';
import { ReportInput, readReportFile } from './report-input';
import { trainingPage } from './training-page';

/** The page of a checked report, by its kind. */
export function reportPage(input: ReportInput): ReportPage {
  switch (input.kind) {
    case 'training':
      return trainingPage(input.report);
    case 'drift':
      return driftPage(input.report);
    case 'experiment':
      return experimentPage(input.report);
  }
}

/**
 * Renders a gfr report.json (training, evaluation, drift check or experiment) as one
 * self-contained HTML page and writes it atomically.
 *
 * @param reportJsonPath the report.json to render
 * @param outputPath where to write; default `report.html` beside the report.json
 * @returns the path of the page written
 */
export async function writeReportPage(
  reportJsonPath: string,
  outputPath: string = path.join(path.dirname(reportJsonPath), 'report.html'),
): Promise<string> {
  const html = reportPage(readReportFile(reportJsonPath)).render();
  writeFileAtomic(outputPath, html);
  return outputPath;
}

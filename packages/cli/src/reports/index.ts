/** HTML report pages of gfr's report.json files: training, drift check and experiment. */
export { writeReportPage, reportPage } from './write-report-page';
export { ReportFormatError, parseReport, readReportFile } from './report-input';
export type { ReportInput } from './report-input';
export { ReportPage } from './html-page';

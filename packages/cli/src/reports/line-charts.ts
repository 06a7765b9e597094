import { ChartSpec } from './html-page';
import { base, seriesColour } from './chart-theme';

/** Vega-Lite specs of line charts: curves of a classifier and daily series of an experiment. */

/** One point of a named curve. */
export interface SeriesPoint {
  series: string;
  x: number;
  y: number;
}

/** Options of {@link curveChart}. */
export interface CurveChartOptions {
  xTitle: string;
  yTitle: string;
  seriesTitle: string;
  /** `linear` (default) or `step-before` (precision-recall: precision holds over a recall step). */
  interpolate?: 'linear' | 'step-before';
  /** A dashed reference: the diagonal y = x, or a horizontal line at `y`. */
  reference?: { diagonal: true } | { y: number; label: string };
  /** Axis domains; default [0, 1] for both. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Draw a dot at each point (reliability diagrams). */
  points?: boolean;
}

/** Lines of several series in one frame: ROC, precision-recall and reliability curves. */
export function curveChart(points: SeriesPoint[], options: CurveChartOptions): ChartSpec {
  const names = [...new Set(points.map((point) => point.series))];
  const x = {
    field: 'x',
    type: 'quantitative',
    title: options.xTitle,
    scale: { domain: options.xDomain ?? [0, 1], nice: false },
    axis: { tickCount: 6 },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: options.yTitle,
    scale: { domain: options.yDomain ?? [0, 1], nice: false },
    axis: { tickCount: 6 },
  };
  const layers: ChartSpec[] = [];
  if (options.reference && 'diagonal' in options.reference) {
    const [low, high] = options.xDomain ?? [0, 1];
    layers.push({
      data: {
        values: [
          { x: low, y: low },
          { x: high, y: high },
        ],
      },
      mark: { type: 'line', strokeDash: [4, 4], color: '#8c959f', strokeWidth: 1 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
      },
    });
  } else if (options.reference) {
    layers.push({
      data: { values: [{ y: options.reference.y, label: options.reference.label }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#8c959f' },
      encoding: { y: { field: 'y', type: 'quantitative' }, tooltip: [{ field: 'label' }] },
    });
  }
  layers.push({
    mark: {
      type: 'line',
      interpolate: options.interpolate ?? 'linear',
      strokeWidth: 2,
      clip: true,
      point: options.points ? { filled: true, size: 36 } : false,
    },
    encoding: {
      x,
      y,
      color: seriesColour(names, options.seriesTitle),
      tooltip: [
        { field: 'series', title: options.seriesTitle },
        { field: 'x', title: options.xTitle, format: '.4f' },
        { field: 'y', title: options.yTitle, format: '.4f' },
      ],
    },
  });
  return { ...base(points), layer: layers };
}

/** One day of {@link intervalSeriesChart}. */
export interface IntervalPoint {
  series: string;
  day: string;
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * A daily estimate with its interval as a band, one colour per series, and a dashed line at
 * `reference` (0 for a lift, the expected share for a sample ratio).
 */
export function intervalSeriesChart(
  points: IntervalPoint[],
  options: { yTitle: string; seriesTitle: string; reference: number; format: string },
): ChartSpec {
  const names = [...new Set(points.map((point) => point.series))];
  const x = { field: 'day', type: 'temporal', title: 'day (UTC)', axis: { format: '%b %d' } };
  const colour = seriesColour(names, options.seriesTitle);
  return {
    ...base(points),
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: {
          x,
          y: {
            field: 'lower',
            type: 'quantitative',
            title: options.yTitle,
            axis: { format: options.format },
          },
          y2: { field: 'upper' },
          color: colour,
        },
      },
      {
        data: { values: [{ reference: options.reference }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#57606a' },
        encoding: { y: { field: 'reference', type: 'quantitative' } },
      },
      {
        mark: { type: 'line', point: { filled: true, size: 30 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'estimate', type: 'quantitative' },
          color: colour,
          tooltip: [
            { field: 'series', title: options.seriesTitle },
            { field: 'day', type: 'temporal', title: 'day', format: '%Y-%m-%d' },
            { field: 'estimate', format: options.format },
            { field: 'lower', format: options.format },
            { field: 'upper', format: options.format },
          ],
        },
      },
    ],
  };
}

/** One value of {@link shareSeriesChart}: a series' share on one day, and its expected share. */
export interface ShareRow {
  series: string;
  day: string;
  share: number;
  expected: number;
  /** p-value of that day's sample-ratio test, shown on hover. */
  p_value: number;
}

/** Daily shares per series with each series' expected share dashed: the sample ratio. */
export function shareSeriesChart(rows: ShareRow[], options: { seriesTitle: string }): ChartSpec {
  const names = [...new Set(rows.map((row) => row.series))];
  const colour = seriesColour(names, options.seriesTitle);
  const x = { field: 'day', type: 'temporal', title: 'day (UTC)', axis: { format: '%b %d' } };
  return {
    ...base(rows),
    layer: [
      {
        mark: { type: 'line', strokeDash: [4, 4], strokeWidth: 1 },
        encoding: { x, y: { field: 'expected', type: 'quantitative' }, color: colour },
      },
      {
        mark: { type: 'line', point: { filled: true, size: 30 }, strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'share',
            type: 'quantitative',
            title: 'share of exposed users',
            axis: { format: '.1%' },
            scale: { zero: false },
          },
          color: colour,
          tooltip: [
            { field: 'series', title: options.seriesTitle },
            { field: 'day', type: 'temporal', format: '%Y-%m-%d' },
            { field: 'share', format: '.2%' },
            { field: 'expected', format: '.2%' },
            { field: 'p_value', title: 'sample-ratio p-value', format: '.4f' },
          ],
        },
      },
    ],
  };
}

import { ChartSpec } from './html-page';
import { base, height, seriesColour, width } from './chart-theme';

/** Vega-Lite specs of bar-like charts: bars per category, histograms and interval estimates. */

/** One bar of {@link barChart}. */
export interface Bar {
  category: string;
  value: number;
  /** Colour group (e.g. scorer, or drifted / not drifted). */
  series: string;
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  categoryTitle: string;
  valueTitle: string;
  seriesTitle: string;
  /** Horizontal bars (long category names) instead of vertical ones. */
  horizontal?: boolean;
  /** Order categories by descending value instead of as given. */
  sortByValue?: boolean;
  /** Dashed threshold line at this value. */
  threshold?: { value: number; label: string };
  /** Value axis format, e.g. `.0%`; default `~s`. */
  format?: string;
  /** Value axis domain; default from the data. */
  domain?: [number, number];
  /** Plot width in pixels (horizontal bars: without the labels); default 440. */
  width?: number;
}

/**
 * Bars per category, grouped side by side by series when there are several: feature
 * importance, metrics per channel, drift per feature.
 */
export function barChart(bars: Bar[], options: BarChartOptions): ChartSpec {
  const names = [...new Set(bars.map((bar) => bar.series))];
  const categories = [...new Set(bars.map((bar) => bar.category))];
  const categoryChannel = options.horizontal ? 'y' : 'x';
  const valueChannel = options.horizontal ? 'x' : 'y';
  const offsetChannel = options.horizontal ? 'yOffset' : 'xOffset';
  const format = options.format ?? '~s';
  const encoding: Record<string, unknown> = {
    [categoryChannel]: {
      field: 'category',
      type: 'nominal',
      title: options.categoryTitle,
      sort: options.sortByValue ? '-' + valueChannel : categories,
      axis: options.horizontal
        ? { labelLimit: 220 }
        : { labelAngle: categories.length > 6 ? -30 : 0, labelLimit: 140 },
    },
    [valueChannel]: {
      field: 'value',
      type: 'quantitative',
      title: options.valueTitle,
      // Fewer ticks on narrow plots, where labels would run into each other.
      axis: { format, tickCount: (options.width ?? width) < 360 ? 5 : 10 },
      scale: options.domain ? { domain: options.domain } : {},
    },
    color: seriesColour(names, options.seriesTitle),
    tooltip: [
      { field: 'category', title: options.categoryTitle },
      { field: 'series', title: options.seriesTitle },
      { field: 'value', title: options.valueTitle, format: format === '~s' ? '.4~g' : format },
    ],
  };
  if (names.length > 1 && !options.sortByValue) {
    encoding[offsetChannel] = { field: 'series', sort: names };
  }
  const rows = Math.max(categories.length, 1) * (names.length > 1 ? names.length : 1);
  const size = options.horizontal
    ? { width: options.width ?? width, height: Math.max(height, Math.min(rows * 14, 900)) }
    : {
        width:
          options.width ?? Math.max(width, Math.min(categories.length * names.length * 18, 1000)),
      };
  const barLayer = { mark: { type: 'bar' }, encoding };
  if (!options.threshold) return { ...base(bars), ...size, ...barLayer };
  return {
    ...base(bars),
    ...size,
    layer: [
      barLayer,
      {
        data: { values: [{ value: options.threshold.value, label: options.threshold.label }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#cf222e', strokeWidth: 1.5 },
        encoding: {
          [valueChannel]: { field: 'value', type: 'quantitative' },
          tooltip: [{ field: 'label' }],
        },
      },
    ],
  };
}

/** One bin of {@link histogramChart}: a share of a series' rows in [lower, upper). */
export interface HistogramBin {
  series: string;
  lower: number;
  upper: number;
  share: number;
}

/** Overlaid histograms (shares of each series' rows per bin): scores by label. */
export function histogramChart(
  bins: HistogramBin[],
  options: { xTitle: string; seriesTitle: string },
): ChartSpec {
  const names = [...new Set(bins.map((bin) => bin.series))];
  return {
    ...base(bins),
    mark: { type: 'rect', opacity: 0.55, stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'lower', type: 'quantitative', title: options.xTitle },
      x2: { field: 'upper' },
      y: { field: 'share', type: 'quantitative', title: 'share of rows', axis: { format: '.0%' } },
      y2: { datum: 0 },
      color: seriesColour(names, options.seriesTitle),
      tooltip: [
        { field: 'series', title: options.seriesTitle },
        { field: 'lower', title: 'from', format: '.4f' },
        { field: 'upper', title: 'to', format: '.4f' },
        { field: 'share', title: 'share', format: '.2%' },
      ],
    },
  };
}

/** One estimate of {@link estimateChart} with its interval. */
export interface EstimateRow {
  category: string;
  series: string;
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Estimates as dots with their intervals as bars, one row per category and one colour per kind
 * of interval, and a dashed line at 0: lifts with fixed-horizon and always-valid intervals.
 */
export function estimateChart(
  rows: EstimateRow[],
  options: { categoryTitle: string; valueTitle: string; seriesTitle: string; format: string },
): ChartSpec {
  const names = [...new Set(rows.map((row) => row.series))];
  const y = {
    field: 'category',
    type: 'nominal',
    title: options.categoryTitle,
    axis: { labelLimit: 220 },
  };
  const yOffset = { field: 'series', sort: names };
  const colour = seriesColour(names, options.seriesTitle);
  return {
    ...base(rows),
    height: Math.max(120, rows.length * 26),
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#57606a' },
        encoding: { x: { field: 'zero', type: 'quantitative' } },
      },
      {
        mark: { type: 'rule', strokeWidth: 3 },
        encoding: {
          y,
          yOffset,
          x: {
            field: 'lower',
            type: 'quantitative',
            title: options.valueTitle,
            axis: { format: options.format },
          },
          x2: { field: 'upper' },
          color: colour,
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y,
          yOffset,
          x: { field: 'estimate', type: 'quantitative' },
          color: colour,
          tooltip: [
            { field: 'category', title: options.categoryTitle },
            { field: 'series', title: options.seriesTitle },
            { field: 'estimate', format: options.format },
            { field: 'lower', format: options.format },
            { field: 'upper', format: options.format },
          ],
        },
      },
    ],
  };
}

import { ChartSpec } from './html-page';

/**
 * Vega-Lite specs of the charts the report pages draw. Each takes plain rows and returns a
 * complete spec with its data inline; colours are fixed per series name so that "model" has
 * the same colour on every chart of a page.
 */

/** Chart width and height in pixels: two charts side by side fit the page. */
const width = 440;
const height = 280;

/** Series colours: the model first, then baselines and anything else. */
const seriesColours: Record<string, string> = {
  model: '#0969da',
  popularity: '#bf8700',
  item_rate: '#8250df',
  reference: '#8c959f',
  current: '#cf222e',
  positive: '#1a7f37',
  negative: '#8c959f',
  drifted: '#cf222e',
  'within thresholds': '#2da44e',
  'not judged': '#afb8c1',
};
const otherColours = ['#0969da', '#cf222e', '#1a7f37', '#bf8700', '#8250df', '#1b7c83'];

/** A colour scale giving each series its fixed colour, and the others distinct ones. */
function seriesColour(names: string[], title: string) {
  const fixed = new Set(names.map((name) => seriesColours[name]).filter(Boolean));
  const free = otherColours.filter((colour) => !fixed.has(colour));
  let other = 0;
  return {
    field: 'series',
    type: 'nominal',
    title,
    scale: {
      domain: names,
      range: names.map((name) => seriesColours[name] ?? free[other++ % free.length]),
    },
    // Below the plot, never over the data; none for a single series, which needs no key.
    legend:
      names.length > 1 ? { orient: 'bottom', direction: 'horizontal', titleOrient: 'left' } : null,
  };
}

function base(data: unknown[]): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width,
    height,
    data: { values: data },
    config: {
      font: 'Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eaeef2' },
      legend: { labelFontSize: 11, titleFontSize: 11 },
      view: { stroke: '#d1d9e0' },
    },
  };
}

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
  /** `linear` (default) or `step-before` (precision-recall: precision holds over each recall step). */
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
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: options.yTitle,
    scale: { domain: options.yDomain ?? [0, 1], nice: false },
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

/** One value of {@link shareSeriesChart}: a series' share on one day, and its expected share. */
export interface ShareRow {
  series: string;
  day: string;
  share: number;
  expected: number;
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
          ],
        },
      },
    ],
  };
}

import { ChartSpec } from './html-page';

/**
 * What every chart of a report page shares: its size, fonts and the colour of each series, fixed
 * per name so that "model" has the same colour on every chart of a page.
 */

/** Chart width and height in pixels: two charts side by side fit the page. */
export const width = 440;
export const height = 280;

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
export function seriesColour(names: string[], title: string) {
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

/** The frame of every chart: schema, size, fonts and the rows it draws. */
export function base(data: unknown[]): ChartSpec {
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

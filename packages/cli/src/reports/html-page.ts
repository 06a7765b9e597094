import { vegaBrowserScripts } from './vega-bundle';

/**
 * The shared shell of every report page: one self-contained HTML file holding its styles, the
 * charting library and each chart's Vega-Lite spec with its data as JSON. A Content Security
 * Policy forbids every network request, so a page renders the same on a laptop with no network
 * as on a build server, and cannot leak what it shows.
 */

/** A Vega-Lite specification (JSON); the page hands it to vega-embed as is. */
export type ChartSpec = Record<string, unknown>;

/** A table cell: text (escaped) or a number (formatted by the caller). */
export type Cell = string | number | null | undefined;

/** A report page under construction: blocks of HTML and charts, rendered by {@link render}. */
export class ReportPage {
  private readonly blocks: string[] = [];
  private readonly charts: { id: string; spec: ChartSpec }[] = [];

  /**
   * @param title the page's title and top heading
   * @param subtitle one line under the title (what was evaluated, when)
   */
  constructor(
    readonly title: string,
    readonly subtitle: string,
  ) {}

  /** A section heading; `level` 2 (default) or 3. */
  heading(text: string, level: 2 | 3 = 2): this {
    this.blocks.push(`<h${level}>${escapeHtml(text)}</h${level}>`);
    return this;
  }

  /** A paragraph of plain text. */
  paragraph(text: string, className?: string): this {
    const attribute = className ? ` class="${escapeHtml(className)}"` : '';
    this.blocks.push(`<p${attribute}>${escapeHtml(text)}</p>`);
    return this;
  }

  /** A verdict banner: `good` green, `bad` red, `neutral` grey. */
  banner(text: string, tone: 'good' | 'bad' | 'neutral'): this {
    this.blocks.push(`<div class="banner ${tone}">${escapeHtml(text)}</div>`);
    return this;
  }

  /** A bulleted list of plain-text items. */
  list(items: string[]): this {
    if (items.length === 0) return this;
    this.blocks.push(`<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
    return this;
  }

  /**
   * A table; numeric columns are right-aligned. `highlight` marks rows (e.g. drifted features)
   * by index.
   */
  table(headers: string[], rows: Cell[][], highlight: ReadonlySet<number> = new Set()): this {
    const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
    const body = rows
      .map((row, index) => {
        const cells = row
          .map((cell) =>
            typeof cell === 'number' || (typeof cell === 'string' && numeric.test(cell))
              ? `<td class="number">${escapeHtml(String(cell))}</td>`
              : `<td>${escapeHtml(cell ?? '—')}</td>`,
          )
          .join('');
        return highlight.has(index) ? `<tr class="highlight">${cells}</tr>` : `<tr>${cells}</tr>`;
      })
      .join('');
    this.blocks.push(`<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
    return this;
  }

  /** A chart with a title and an optional caption saying how to read it. */
  chart(title: string, spec: ChartSpec, caption?: string): this {
    const id = `chart-${this.charts.length + 1}`;
    this.charts.push({ id, spec });
    const captionHtml = caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : '';
    this.blocks.push(
      `<figure><h3>${escapeHtml(title)}</h3><div class="chart" id="${id}"></div>` +
        `${captionHtml}</figure>`,
    );
    return this;
  }

  /** Starts a row of charts side by side (closed by {@link endRow}). */
  startRow(): this {
    this.blocks.push('<div class="row">');
    return this;
  }

  /** Ends the row started by {@link startRow}. */
  endRow(): this {
    this.blocks.push('</div>');
    return this;
  }

  /** Number of charts on the page so far. */
  get chartCount(): number {
    return this.charts.length;
  }

  /** The complete HTML document. */
  render(): string {
    const libraries = vegaBrowserScripts()
      .map((source) => `<script>${escapeScript(source)}</script>`)
      .join('\n');
    return [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      // Vega compiles its expressions with Function, hence 'unsafe-eval'; nothing may load.
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; ` +
        `script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">`,
      `<title>${escapeHtml(this.title)}</title>`,
      `<style>${pageStyle}</style>`,
      '</head>',
      '<body>',
      '<main>',
      `<header><h1>${escapeHtml(this.title)}</h1>`,
      `<p class="subtitle">${escapeHtml(this.subtitle)}</p></header>`,
      ...this.blocks,
      '</main>',
      '<script type="application/json" id="gfr-charts">' +
        `${escapeScript(JSON.stringify(this.charts))}</script>`,
      libraries,
      `<script>${embedScript}</script>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  }
}

/** Text that reads as a number (a formatted metric, a percentage): right-aligned in tables. */
const numeric = /^[-+−]?[\d,]*\.?\d+(e[-+]?\d+)?\s?%?$/i;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Makes text safe inside a `<script>` element: a literal `</script` or `<!--` in data (a feature
 * or variant name, say) would end the element early. `<\/` and `\u003c` mean the same to a
 * JavaScript or JSON parser.
 */
function escapeScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '\\u003c!--');
}

/**
 * Draws every chart with vega-embed as SVG. `window.gfrReportRendered` resolves to one outcome
 * per chart, for tests; a chart that fails says so in its place instead of leaving a blank.
 */
const embedScript = `
(function () {
  var charts = JSON.parse(document.getElementById('gfr-charts').textContent);
  window.gfrReportRendered = Promise.all(charts.map(function (chart) {
    return vegaEmbed('#' + chart.id, chart.spec, { renderer: 'svg', actions: false })
      .then(function () { return { id: chart.id, ok: true }; })
      .catch(function (error) {
        console.error('chart ' + chart.id + ' failed:', error);
        document.getElementById(chart.id).textContent = 'This chart could not be drawn: ' + error;
        return { id: chart.id, ok: false, error: String(error) };
      });
  }));
})();
`;

const pageStyle = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 64px; }
header { border-bottom: 1px solid var(--line); margin-bottom: 16px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
p.note { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; }
th { background: var(--soft); font-weight: 600; }
td.number { text-align: right; }
tr.highlight td { background: #fff1e5; }
.row { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 12px 0; flex: 1 1 460px; min-width: 0; }
figcaption { color: var(--muted); font-size: 12.5px; max-width: 520px; }
.chart { min-height: 40px; }
.banner { padding: 10px 14px; border-radius: 6px; margin: 12px 0; font-weight: 600; }
.banner.good { background: #dafbe1; color: #116329; }
.banner.bad { background: #ffebe9; color: #a40e26; }
.banner.neutral { background: var(--soft); color: var(--muted); }
`;

import { RankedFeed } from '@gfr/core';

import { formatMetric } from './output';

type Metrics = Record<string, unknown>;

/** A table of the test metrics of each head and of its baselines, as printed by quickstart. */
export function formatReportSummary(report: Record<string, unknown>): string {
  const models = (report.models ?? {}) as Record<string, Metrics>;
  const columns = ['auc', 'pr_auc', 'logloss', 'gauc', 'ece', 'calibration_ratio', 'positives'];
  const lines: string[] = [];
  lines.push(`model ${String(report.model_version)}`);
  lines.push(['head', 'scorer'.padEnd(12), ...columns.map((c) => c.padStart(10))].join(' '));
  for (const [head, metrics] of Object.entries(models)) {
    const baselines = (metrics.baselines ?? {}) as Record<string, Metrics>;
    const rows: [string, Metrics][] = [
      ['model', metrics.test as Metrics],
      ...Object.entries(baselines),
    ];
    for (const [scorer, values] of rows) {
      const cells = columns.map((column) =>
        column === 'positives'
          ? String(values[column]).padStart(10)
          : formatMetric(values[column]).padStart(10),
      );
      lines.push([head.padEnd(4), scorer.padEnd(12), ...cells].join(' '));
    }
  }
  const ranking = report.ranking as Metrics | undefined;
  if (ranking) {
    const baselines = ranking.baselines as Record<string, Metrics>;
    lines.push(
      `NDCG@10 of the ranked test feeds (${String(ranking.lists)} feeds): model ` +
        `${formatMetric(ranking.ndcg_at_10)}, popularity ${formatMetric(baselines.popularity.ndcg_at_10)}, ` +
        `item rate ${formatMetric(baselines.item_rate.ndcg_at_10)}`,
    );
  }
  for (const note of (report.notes as string[] | undefined) ?? []) lines.push(`note: ${note}`);
  lines.push(`artifact: ${String(report.artifact)}`);
  return lines.join('\n');
}

/** A ranked feed as a table. */
export function formatFeed(feed: RankedFeed): string {
  const lines = [
    `feed of user ${feed.user_id} at ${feed.ranked_at} (${feed.candidates} candidates, ` +
      `model ${feed.model_version})${feed.cold_start ? ': no history, a cold-start feed' : ''}`,
    [
      'rank',
      'item'.padEnd(14),
      'channel'.padEnd(10),
      'p_ctr',
      '     p_cvr',
      '     score',
      'category',
    ].join(' '),
  ];
  feed.items.forEach((item, index) => {
    lines.push(
      [
        String(index + 1).padStart(4),
        item.item_id.padEnd(14),
        item.channel.padEnd(10),
        item.p_ctr.toFixed(4),
        (item.p_cvr === null ? '—' : item.p_cvr.toFixed(4)).padStart(10),
        item.score.toExponential(3).padStart(10),
        item.category ?? '',
      ].join(' '),
    );
  });
  return lines.join('\n');
}

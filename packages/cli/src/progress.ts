import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { PipelineProgress } from '@gfr/core';

import { GlobalOptions } from './output';

/**
 * Progress bars on stderr for the pipeline's long steps (boosting rounds, rows ingested), and a
 * line per step with its duration. Silent with --quiet or --json, or when stderr is not a
 * terminal and GFR_PROGRESS is not set, so logs of batch runs stay clean.
 */
export function createProgress(options: GlobalOptions): PipelineProgress & { stop(): void } {
  const enabled = !options.quiet && !options.json;
  const interactive = enabled && (process.stderr.isTTY || process.env.GFR_PROGRESS === '1');
  const bars = interactive
    ? new MultiBar(
        {
          format: ' {step} [{bar}] {value}/{total} {unit}',
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      )
    : null;
  const roundBars = new Map<string, SingleBar>();
  let rowsBar: SingleBar | null = null;
  const started = new Map<string, number>();

  return {
    onStep(step, state, detail) {
      if (!enabled) return;
      if (state === 'start') {
        started.set(step, Date.now());
        return;
      }
      const seconds = ((Date.now() - (started.get(step) ?? Date.now())) / 1000).toFixed(1);
      const line = `✓ ${step} (${seconds} s)${detail ? ' ' + summarize(detail) : ''}\n`;
      if (bars) bars.log(line);
      else process.stderr.write(line);
    },
    onRound(head, round, rounds) {
      if (!bars) return;
      let bar = roundBars.get(head);
      if (!bar) {
        bar = bars.create(rounds, 0, { step: `train ${head}`, unit: 'rounds' });
        roundBars.set(head, bar);
      }
      bar.update(round);
    },
    onRows(rowsRead, totalBytes, bytesRead) {
      if (!bars || totalBytes <= 0) return;
      rowsBar ??= bars.create(Math.ceil(totalBytes / 1024), 0, { step: 'ingest', unit: 'KiB' });
      rowsBar.update(Math.floor(bytesRead / 1024), { unit: `KiB (${rowsRead} rows)` });
    },
    stop() {
      bars?.stop();
    },
  };
}

function summarize(detail: Record<string, unknown>): string {
  const simple = Object.entries(detail).filter(
    ([, value]) => typeof value === 'number' || typeof value === 'string',
  );
  return simple.map(([key, value]) => `${key}=${value}`).join(' ');
}

import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { PipelineProgress } from '@gfr/core';

import { GlobalOptions } from './output';

/** Steps shorter than this get no bar: it would only flicker. */
const barDelayMs = 1000;

/** The progress display of one command (see {@link createProgress}). */
export interface CommandProgress extends PipelineProgress {
  /**
   * Runs one step of a command. A step still running after a second gets a line with its
   * elapsed time (rows or rounds have their own bars); every step ends with a `✓` line.
   */
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Removes the bars; call it before printing the result, and again in `finally`. */
  stop(): void;
}

/**
 * Progress bars on stderr for the pipeline's long steps (boosting rounds, rows ingested, any
 * step over a second), and a line per step with its duration. Silent with --quiet or --json;
 * without a terminal on stderr (and GFR_PROGRESS unset) only the step lines are written, so
 * logs of batch runs stay clean.
 */
export function createProgress(options: GlobalOptions): CommandProgress {
  const enabled = !options.quiet && !options.json;
  const interactive = enabled && (process.stderr.isTTY || process.env.GFR_PROGRESS === '1');
  const bars = interactive
    ? new MultiBar(
        {
          format: ' {step} [{bar}] {value}/{total} {unit}',
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        Presets.shades_classic,
      )
    : null;
  const roundBars = new Map<string, SingleBar>();
  let rowsBar: SingleBar | null = null;
  const started = new Map<string, number>();

  const onStep: CommandProgress['onStep'] = (step, state, detail) => {
    if (!enabled) return;
    if (state === 'start') {
      started.set(step, Date.now());
      return;
    }
    const seconds = ((Date.now() - (started.get(step) ?? Date.now())) / 1000).toFixed(1);
    const line = `✓ ${step} (${seconds} s)${detail ? ' ' + summarize(detail) : ''}\n`;
    if (bars) bars.log(line);
    else process.stderr.write(line);
  };

  return {
    onStep,
    async step(name, work) {
      // The pipeline's step names are a closed set; a command's own steps are any name.
      const report = onStep as (name: string, state: 'start' | 'done') => void;
      report(name, 'start');
      const started = Date.now();
      const elapsed = () => ({ step: name, elapsed: Math.floor((Date.now() - started) / 1000) });
      let bar: SingleBar | null = null;
      let ticker: NodeJS.Timeout | null = null;
      const timer = bars
        ? setTimeout(() => {
            bar = bars.create(0, 0, elapsed(), { format: ' {step} … {elapsed} s' });
            ticker = setInterval(() => bar?.update(0, elapsed()), 1000);
          }, barDelayMs)
        : null;
      const clear = () => {
        if (timer) clearTimeout(timer);
        if (ticker) clearInterval(ticker);
        if (bar) bars?.remove(bar);
        bar = null;
      };
      try {
        const result = await work();
        clear();
        report(name, 'done');
        return result;
      } finally {
        clear();
      }
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

import * as path from 'node:path';

import { HistogramArena, allocateSharedMemory, viewsOf } from './training-memory';
import { startTrainingExecutor } from './worker-pool';

function smallRun() {
  const layout = allocateSharedMemory({
    bins: new SharedArrayBuffer(8),
    rows: 4,
    columns: 2,
    validationRows: 0,
    hasWeights: false,
    hasValidationWeights: false,
    valueBinCounts: Int32Array.of(2, 2),
    binStride: 3,
  });
  const views = viewsOf(layout, []);
  return { layout, views, arena: new HistogramArena(views, layout.slotSize) };
}

describe('startTrainingExecutor', () => {
  it('falls back to the main thread, saying why, when the worker entry cannot load', async () => {
    const { layout, views, arena } = smallRun();
    const missing = path.join(__dirname, 'no-such-worker.js');
    const { executor, fallbackReason } = await startTrainingExecutor(
      views,
      layout,
      arena,
      2,
      missing,
    );
    expect(executor.threads).toBe(1);
    expect(fallbackReason).toMatch(/Cannot find module/);
    await executor.close();
  });

  it('starts workers from the TypeScript sources under jest and stops them on close', async () => {
    const { layout, views, arena } = smallRun();
    const { executor, fallbackReason } = await startTrainingExecutor(views, layout, arena, 2);
    expect(fallbackReason).toBeUndefined();
    expect(executor.threads).toBe(2);
    await executor.applyTree(null);
    expect(views.lossPartials[1]).toBe(4);
    await executor.close();
  });
});

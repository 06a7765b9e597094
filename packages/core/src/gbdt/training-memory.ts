/**
 * The memory one training run shares between the main thread and its workers. Everything
 * large lives in SharedArrayBuffers so that workers read bins and gradients and write
 * histograms without copying; messages carry only small task lists.
 */

/**
 * Rows per chunk of the margin / gradient / loss update: small enough to balance two threads,
 * fixed so that loss sums do not depend on the thread count.
 */
export const LOSS_CHUNK_ROWS = 16_384;

/** Histogram slots per shared page; pages are added as a tree's levels need more slots. */
export const HISTOGRAM_SLOTS_PER_PAGE = 8;

/** The transferable description of a run's shared memory (what a worker receives at start). */
export interface SharedMemoryLayout {
  rows: number;
  columns: number;
  validationRows: number;
  valueBinCounts: Int32Array;
  /** Histogram bins per feature (see `FeatureBinning.binStride`). */
  binStride: number;
  /** Doubles per histogram slot: gradient and hessian for every bin of every feature. */
  slotSize: number;
  buffers: {
    bins: SharedArrayBuffer;
    gradients: SharedArrayBuffer;
    labels: SharedArrayBuffer;
    weights: SharedArrayBuffer | null;
    margins: SharedArrayBuffer;
    rowIndex: SharedArrayBuffer;
    scratch: SharedArrayBuffer;
    validationBins: SharedArrayBuffer | null;
    validationLabels: SharedArrayBuffer | null;
    validationWeights: SharedArrayBuffer | null;
    validationMargins: SharedArrayBuffer | null;
    lossPartials: SharedArrayBuffer;
  };
}

/** Typed views over a {@link SharedMemoryLayout}, built the same way on every thread. */
export interface TrainingViews {
  rows: number;
  columns: number;
  validationRows: number;
  valueBinCounts: Int32Array;
  binStride: number;
  slotSize: number;
  /** Training bins, row-major: `bins[row * columns + feature]`. */
  bins: Uint8Array;
  /** Gradient and hessian of row `r` at `2r` and `2r + 1`. */
  gradients: Float32Array;
  labels: Float32Array;
  weights: Float32Array | null;
  /** Float32 margins, accumulated exactly as the predictor does. */
  margins: Float32Array;
  /** Row ids grouped by tree node; a node owns one contiguous range. */
  rowIndex: Uint32Array;
  scratch: Uint32Array;
  validationBins: Uint8Array | null;
  validationLabels: Float32Array | null;
  validationWeights: Float32Array | null;
  validationMargins: Float32Array | null;
  /** Per chunk: weighted loss sum, weight sum; training chunks first, then validation. */
  lossPartials: Float64Array;
  trainChunks: number;
  validationChunks: number;
  /** Histogram pages, each {@link HISTOGRAM_SLOTS_PER_PAGE} slots of `slotSize` doubles. */
  histogramPages: Float64Array[];
}

/** Number of loss chunks covering `rows` rows. */
export function chunkCount(rows: number): number {
  return Math.ceil(rows / LOSS_CHUNK_ROWS);
}

/** Builds the views of a layout (and of the histogram pages known so far). */
export function viewsOf(layout: SharedMemoryLayout, pages: SharedArrayBuffer[]): TrainingViews {
  const b = layout.buffers;
  const trainChunks = chunkCount(layout.rows);
  const validationChunks = chunkCount(layout.validationRows);
  return {
    rows: layout.rows,
    columns: layout.columns,
    validationRows: layout.validationRows,
    valueBinCounts: layout.valueBinCounts,
    binStride: layout.binStride,
    slotSize: layout.slotSize,
    bins: new Uint8Array(b.bins),
    gradients: new Float32Array(b.gradients),
    labels: new Float32Array(b.labels),
    weights: b.weights ? new Float32Array(b.weights) : null,
    margins: new Float32Array(b.margins),
    rowIndex: new Uint32Array(b.rowIndex),
    scratch: new Uint32Array(b.scratch),
    validationBins: b.validationBins ? new Uint8Array(b.validationBins) : null,
    validationLabels: b.validationLabels ? new Float32Array(b.validationLabels) : null,
    validationWeights: b.validationWeights ? new Float32Array(b.validationWeights) : null,
    validationMargins: b.validationMargins ? new Float32Array(b.validationMargins) : null,
    lossPartials: new Float64Array(b.lossPartials),
    trainChunks,
    validationChunks,
    histogramPages: pages.map((page) => new Float64Array(page)),
  };
}

/**
 * Allocates the shared buffers of a run around the already filled training `bins`; the caller
 * fills labels, weights and the validation set.
 */
export function allocateSharedMemory(shape: {
  bins: SharedArrayBuffer;
  rows: number;
  columns: number;
  validationRows: number;
  hasWeights: boolean;
  hasValidationWeights: boolean;
  valueBinCounts: Int32Array;
  binStride: number;
}): SharedMemoryLayout {
  const { rows, columns, validationRows } = shape;
  const validation = validationRows > 0;
  const shared = (bytes: number) => new SharedArrayBuffer(Math.max(bytes, 8));
  return {
    rows,
    columns,
    validationRows,
    valueBinCounts: shape.valueBinCounts,
    binStride: shape.binStride,
    slotSize: 2 * columns * shape.binStride,
    buffers: {
      bins: shape.bins,
      gradients: shared(8 * rows),
      labels: shared(4 * rows),
      weights: shape.hasWeights ? shared(4 * rows) : null,
      margins: shared(4 * rows),
      rowIndex: shared(4 * rows),
      scratch: shared(4 * rows),
      validationBins: validation ? shared(validationRows * columns) : null,
      validationLabels: validation ? shared(4 * validationRows) : null,
      validationWeights:
        validation && shape.hasValidationWeights ? shared(4 * validationRows) : null,
      validationMargins: validation ? shared(4 * validationRows) : null,
      lossPartials: shared(16 * (chunkCount(rows) + chunkCount(validationRows))),
    },
  };
}

/**
 * Hands out histogram slots from shared pages, adding a page when all are in use. Slots are
 * reused across levels and trees, so memory follows the widest level, not the tree count.
 */
export class HistogramArena {
  readonly pages: SharedArrayBuffer[] = [];
  private readonly free: number[] = [];

  constructor(
    private readonly views: TrainingViews,
    private readonly slotSize: number,
  ) {}

  /** A free slot id; its contents are stale until a histogram is built into it. */
  allocate(): number {
    if (this.free.length === 0) this.addPage();
    return this.free.pop() as number;
  }

  /** Returns a slot for reuse. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /** The page array and the offset of a slot's first double. */
  locate(slot: number): { page: Float64Array; offset: number } {
    return locateSlot(this.views.histogramPages, this.slotSize, slot);
  }

  private addPage(): void {
    const first = this.pages.length * HISTOGRAM_SLOTS_PER_PAGE;
    const page = new SharedArrayBuffer(8 * this.slotSize * HISTOGRAM_SLOTS_PER_PAGE);
    this.pages.push(page);
    this.views.histogramPages.push(new Float64Array(page));
    for (let slot = first + HISTOGRAM_SLOTS_PER_PAGE - 1; slot >= first; slot--) {
      this.free.push(slot);
    }
  }
}

/** The page and offset of a histogram slot. */
export function locateSlot(
  pages: Float64Array[],
  slotSize: number,
  slot: number,
): { page: Float64Array; offset: number } {
  const pageIndex = Math.floor(slot / HISTOGRAM_SLOTS_PER_PAGE);
  return { page: pages[pageIndex], offset: (slot % HISTOGRAM_SLOTS_PER_PAGE) * slotSize };
}

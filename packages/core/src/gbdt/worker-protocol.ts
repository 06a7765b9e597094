import { BinnedTree } from './training-kernels';

/** A request from the main thread to a training worker. */
export type WorkerRequest =
  | {
      id: number;
      kind: 'histograms';
      tasks: Int32Array;
      features: Int32Array;
      featureBegin: number;
      featureEnd: number;
      /** Histogram pages added since the previous request. */
      newPages: SharedArrayBuffer[];
    }
  | { id: number; kind: 'partition'; tasks: Int32Array }
  | {
      id: number;
      kind: 'apply';
      tree: BinnedTree | null;
      trainChunks: [number, number];
      validationChunks: [number, number];
    };

/** A worker's answer; id -1 announces that the worker is ready. */
export type WorkerReply =
  | { id: number; ok: true; leftCounts: Int32Array | null }
  | { id: number; ok: false; message: string; stack?: string };

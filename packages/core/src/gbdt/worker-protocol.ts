/**
 * The command channel between the main thread and a training worker. Each call of a training
 * level is a few microseconds of work to hand over, so instead of `postMessage` (whose wake-up
 * measured 1–9 ms on the build VM) commands go through shared memory and `Atomics.wait` /
 * `Atomics.notify` (about 0.05 ms round trip). Shared buffers the worker has not seen yet
 * (histogram pages, a larger command area) travel once over a MessagePort that the worker
 * drains synchronously before each command.
 */
import { BinnedTree } from './training-kernels';

/** Slots of a worker's control block (an Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Sequence number of the latest request; the worker wakes when it changes. */
  request: 0,
  /** Sequence number of the latest finished request. */
  done: 1,
  /** 0 after success, 1 after a failure (the message follows on the port). */
  status: 2,
  command: 3,
  /** First argument slot; commands use up to six. */
  arguments: 4,
  size: 16,
} as const;

/** Command codes. */
export const COMMAND = { histograms: 1, partition: 2, apply: 3, stop: 9 } as const;

/** What travels over the worker's MessagePort. */
export type PortMessage =
  | { kind: 'pages'; pages: SharedArrayBuffer[] }
  | { kind: 'commandData'; buffer: SharedArrayBuffer }
  | { kind: 'failure'; message: string; stack?: string };

/** Int32 slots needed to encode a binned tree of `nodes` nodes. */
export function binnedTreeSize(nodes: number): number {
  return 6 * nodes;
}

/** Writes a binned tree at the start of `data` (leaf values as float32 bit patterns). */
export function writeBinnedTree(tree: BinnedTree, data: Int32Array): void {
  const nodes = tree.left.length;
  data.set(tree.left, 0);
  data.set(tree.right, nodes);
  data.set(tree.feature, 2 * nodes);
  data.set(tree.splitBin, 3 * nodes);
  data.set(tree.defaultLeft, 4 * nodes);
  new Float32Array(data.buffer, data.byteOffset + 20 * nodes, nodes).set(tree.leafValue);
}

/** Reads a binned tree of `nodes` nodes written by {@link writeBinnedTree}. */
export function readBinnedTree(data: Int32Array, nodes: number): BinnedTree {
  return {
    left: data.slice(0, nodes),
    right: data.slice(nodes, 2 * nodes),
    feature: data.slice(2 * nodes, 3 * nodes),
    splitBin: data.slice(3 * nodes, 4 * nodes),
    defaultLeft: Uint8Array.from(data.subarray(4 * nodes, 5 * nodes)),
    leafValue: new Float32Array(data.buffer, data.byteOffset + 20 * nodes, nodes).slice(),
  };
}

import type { MessagePort } from 'node:worker_threads';
import type { LogLevel, experiment } from '@gfr/core';

/** What the endpoint worker starts with. */
export interface EndpointWorkerData {
  modelDir: string;
  storeFile: string;
  definition: experiment.ExperimentDefinition;
  /** One Int32: the worker stores the answered call's sequence number there, then notifies. */
  signal: SharedArrayBuffer;
  port: MessagePort;
  logLevel: LogLevel;
}

/** One feed to rank. */
export interface RankCall {
  /** Call number; the worker stores it in the signal once the answer is on the port. */
  sequence: number;
  userId: string;
  requestId: string;
  /** The simulated request instant, epoch seconds: the endpoint ranks for it. */
  timeSeconds: number;
  k: number;
  candidates: { item_id: string; channel: 'exploit' | 'explore' | 'popularity' | 'recent' }[];
}

/** The ranked feed, or the client's typed error flattened to name and message. */
export type RankAnswer =
  | {
      items: { item_id: string; position: number; channel: string }[];
      /** The arm the client's assigner chose, and the production variant it targeted. */
      variant: string | null;
      targetVariant: string | null;
    }
  | { error: { name: string; message: string } };

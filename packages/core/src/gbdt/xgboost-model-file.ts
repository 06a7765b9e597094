/**
 * Reading an XGBoost model from a file in any form XGBoost or SageMaker writes it: JSON,
 * UBJSON, or a SageMaker `model.tar.gz` holding `xgboost-model`; the form is told by content,
 * never by file name (SageMaker's `xgboost-model` has no extension and is UBJSON from XGBoost
 * 2.1 on, legacy binary before).
 */
import * as fs from 'node:fs';
import * as tar from 'tar';

import { GfrError } from '../errors';
import { LegacyBinaryModelError, ModelFileError } from './errors';
import { TreeEnsemble } from './tree-ensemble';
import { decodeUbjson } from './ubjson';
import { XGBoostReadOptions } from './xgboost-document-reader';
import { parseXGBoostJsonText } from './xgboost-json-text';

/** The forms of model file XGBoost writes, as {@link detectXGBoostModelForm} tells them apart. */
export type XGBoostModelForm = 'json' | 'ubjson' | 'gzip' | 'legacy-binary' | 'unknown';

/** The name SageMaker's built-in XGBoost gives its model inside `model.tar.gz`. */
export const SAGEMAKER_MODEL_ENTRY = 'xgboost-model';

/** UBJSON length markers that may follow the opening `{` of XGBoost's UBJSON document. */
const UBJSON_KEY_LENGTH_MARKERS = new Set(['L', 'l', 'i', 'U', 'I']);

/**
 * Tells a model file's form from its first bytes: gzip magic (a SageMaker `model.tar.gz`),
 * `binf` (legacy binary), `{` then a UBJSON length marker (UBJSON), `{` then whitespace, `"` or
 * `}` (JSON, after an optional byte-order mark and whitespace).
 */
export function detectXGBoostModelForm(bytes: Uint8Array): XGBoostModelForm {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'binf') {
    return 'legacy-binary';
  }
  if (bytes[0] === 0x7b && UBJSON_KEY_LENGTH_MARKERS.has(String.fromCharCode(bytes[1]))) {
    return 'ubjson';
  }
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length && isJsonWhitespace(bytes[start])) start++;
  if (bytes[start] === 0x7b) return 'json';
  return 'unknown';
}

/**
 * Loads the XGBoost model in `file`: JSON (`save_model("m.json")`), UBJSON
 * (`save_model("m.ubj")`, or `xgboost-model` from XGBoost 2.1+ and SageMaker's 3.0-5 image), or
 * a SageMaker `model.tar.gz` holding `xgboost-model` in either form. Refuses the legacy binary
 * format with the command that converts it, and everything {@link TreeEnsemble.fromXGBoostJson}
 * refuses (categorical splits, vector leaves, other objectives); errors name the file.
 */
export function readXGBoostModelFile(file: string, options: XGBoostReadOptions = {}): TreeEnsemble {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new ModelFileError(file, 'cannot be read', { cause: error });
  }
  return readXGBoostModelBytes(bytes, file, options);
}

/**
 * {@link readXGBoostModelFile} for bytes already in memory; `source` names them in errors.
 */
export function readXGBoostModelBytes(
  bytes: Uint8Array,
  source: string,
  options: XGBoostReadOptions = {},
): TreeEnsemble {
  const form = detectXGBoostModelForm(bytes);
  if (form === 'gzip') {
    const inner = modelFromTarball(bytes, source);
    return readXGBoostModelBytes(inner, `${source}:${SAGEMAKER_MODEL_ENTRY}`, options);
  }
  if (form === 'legacy-binary') throw new LegacyBinaryModelError(source);
  if (form === 'unknown') {
    throw new ModelFileError(
      source,
      'is not an XGBoost model in JSON or UBJSON, nor a tar.gz holding one ' +
        `(first bytes ${hex(bytes.subarray(0, 8))}); a legacy binary model from XGBoost ` +
        "before 1.0 must be converted: load it in XGBoost 1.7–3.0 and save_model('model.json')",
    );
  }
  try {
    const document =
      form === 'json'
        ? parseXGBoostJsonText(
            Buffer.from(bytes)
              .toString('utf8')
              .replace(/^\uFEFF/, ''),
          )
        : decodeUbjson(bytes);
    return TreeEnsemble.fromXGBoostJson(document as object, options);
  } catch (error) {
    // The document's own errors keep their class (callers tell "categorical" from "malformed"
    // by it); only the message gains the file's name.
    if (error instanceof GfrError && !error.message.startsWith(source)) {
      error.message = `${source}: ${error.message}`;
    }
    throw error;
  }
}

/** The bytes of `xgboost-model` in a gzip-compressed tar (SageMaker's `model.tar.gz`). */
function modelFromTarball(bytes: Uint8Array, source: string): Uint8Array {
  const files = new Map<string, Buffer>();
  const entries: string[] = [];
  let failure: unknown;
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      const name = entry.path.replace(/^(\.\/)+/, '');
      entries.push(name);
      if (entry.type !== 'File' || name !== SAGEMAKER_MODEL_ENTRY) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => files.set(name, Buffer.concat(chunks)));
    },
  });
  parser.on('error', (error: unknown) => (failure ??= error));
  try {
    // Without a file, tar's parser works synchronously: entries are read by the time end() returns.
    parser.end(Buffer.from(bytes));
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) {
    throw new ModelFileError(source, 'is not a readable tar.gz', { cause: failure });
  }

  const model = files.get(SAGEMAKER_MODEL_ENTRY);
  if (model !== undefined) return model;
  const folds = entries.filter((name) => name.startsWith(`${SAGEMAKER_MODEL_ENTRY}-`));
  const reason =
    folds.length > 0
      ? `holds k-fold models (${folds.join(', ')}) but no '${SAGEMAKER_MODEL_ENTRY}'; ` +
        'extract the fold to serve and load that file'
      : `holds no '${SAGEMAKER_MODEL_ENTRY}' (entries: ${entries.join(', ') || 'none'})`;
  throw new ModelFileError(source, reason);
}

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

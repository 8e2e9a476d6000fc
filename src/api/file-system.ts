/**
 * Flink's `FileSystem.WriteMode`, for `writeAsText(path, FileSystem.WriteMode.OVERWRITE)`; the
 * plain strings `'NO_OVERWRITE'` / `'OVERWRITE'` work the same.
 *
 * - `NO_OVERWRITE` (the default unless `fs.overwrite-files` is true): output that already exists
 *   fails the job before it starts (an empty directory is fine for a parallel sink).
 * - `OVERWRITE`: existing output is replaced, as a whole, when the job succeeded. Where strom
 *   differs: Flink deletes it when the sink opens, so a failed Flink job has lost it; strom keeps
 *   it until the new output is complete.
 */
import type { WriteMode } from '../graph/stream-graph.js';

export type { WriteMode } from '../graph/stream-graph.js';

/** Flink's `FileSystem` names that strom's API takes: `FileSystem.WriteMode.OVERWRITE`. */
export const FileSystem: { readonly WriteMode: { readonly NO_OVERWRITE: 'NO_OVERWRITE'; readonly OVERWRITE: 'OVERWRITE' } } = Object.freeze({
  WriteMode: Object.freeze({ NO_OVERWRITE: 'NO_OVERWRITE', OVERWRITE: 'OVERWRITE' } satisfies Record<WriteMode, WriteMode>),
});

/**
 * strom's serialization layer alone (no network memory, no addon), for baselines that reuse
 * strom's encoding but not its transport.
 */
export { Types } from '../../src/types/type-information.js';
export { DataOutputView } from '../../src/types/data-output-view.js';
export { DataInputView } from '../../src/types/data-input-view.js';
export { StreamElementTag } from '../../src/io/stream-element.js';

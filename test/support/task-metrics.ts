import assert from 'node:assert/strict';
import type { JobMetricsSnapshot, TaskMetricsSnapshot } from '../../src/index.js';

/** The task of `snapshot` whose name contains `namePart`; fails the test when there is none. */
export function taskNamed(snapshot: JobMetricsSnapshot, namePart: string): TaskMetricsSnapshot {
  const found = snapshot.tasks.find((t) => t.name.includes(namePart));
  assert.ok(found, `no task named like '${namePart}' in ${snapshot.tasks.map((t) => t.name).join(', ')}`);
  return found;
}

/**
 * Errors raised in task-slot worker threads reach the caller as the same classes: the job
 * rejects with a JobExecutionError naming the job, the task, the subtask and the operator, whose
 * `cause` is the worker's error rebuilt on the main thread with its class, its fields, the
 * worker's stack and its cause chain. Real jobs on real worker threads and the real addon.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execute, JobExecutionError, ManagedMemoryExceededError, SerializationError, UserFunctionError } from '../../src/index.js';
import workerErrors from '../fixtures/jobs/worker-errors.js';

/** Runs the fixture job with `failure` and returns the JobExecutionError it rejects with. */
async function failure(params: Record<string, string>, config: Record<string, unknown> = {}): Promise<JobExecutionError> {
  const error = await execute(workerErrors, { params, config: { 'parallelism.default': 1, ...config } }).then(
    () => assert.fail('the job should fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof JobExecutionError, String(error));
  assert.equal(error.jobName, `worker-errors-${params.failure}`);
  return error;
}

describe('errors from worker threads keep their class', () => {
  it('keyed state beyond taskmanager.memory.managed.size: the cause is a ManagedMemoryExceededError with bytesNeeded', async () => {
    const error = await failure({ failure: 'managed-memory' }, { 'taskmanager.memory.managed.size': '64kb' });
    assert.equal(error.failureCode, 'ERR_MANAGED_MEMORY_EXCEEDED');
    assert.equal(error.subtaskIndex, 0);
    assert.match(error.task, /Big Sum.*\(1\/1\)$/);
    const cause = error.cause;
    assert.ok(cause instanceof ManagedMemoryExceededError, `not rebuilt: ${String(cause)}`);
    assert.equal(cause.code, 'ERR_MANAGED_MEMORY_EXCEEDED');
    assert.equal(cause.name, 'ManagedMemoryExceededError');
    assert.equal(typeof cause.bytesNeeded, 'number');
    assert.ok(cause.bytesNeeded > 0, `bytesNeeded ${cause.bytesNeeded}`);
    assert.match(cause.message, /'taskmanager\.memory\.managed\.size'/);
    assert.match(error.message, new RegExp(`: ${escape(cause.message)}$`));
    // The stack is the worker's: the message line, then frames (not this rebuild's frames).
    assert.ok(cause.stack?.startsWith(`ManagedMemoryExceededError: ${cause.message}`), cause.stack);
    assert.doesNotMatch(cause.stack!, /rebuild-error/);
  });

  it("a user's error with a custom code and a cause: UserFunctionError whose cause keeps name, code, fields, stack and its own cause", async () => {
    const error = await failure({ failure: 'coded', at: '10' });
    assert.equal(error.failureCode, 'ERR_USER_FUNCTION');
    assert.equal(error.operator, 'Quota');
    assert.equal(error.subtaskIndex, 0);
    const wrapper = error.cause;
    assert.ok(wrapper instanceof UserFunctionError, `not rebuilt: ${String(wrapper)}`);
    assert.equal(wrapper.code, 'ERR_USER_FUNCTION');
    assert.equal(wrapper.operatorName, 'Quota');
    assert.equal(wrapper.functionName, 'map');
    assert.match(wrapper.message, /threw: QuotaError: quota exceeded at 10$/);

    const thrown = wrapper.cause as Error & { code?: unknown; limit?: unknown; cause?: unknown };
    assert.ok(thrown instanceof Error, String(thrown));
    assert.equal(thrown.name, 'QuotaError');
    assert.equal(thrown.message, 'quota exceeded at 10');
    assert.equal(thrown.code, 'E_QUOTA');
    assert.equal(thrown.limit, 5);
    // Its stack is where the map threw, in the worker's copy of the job module.
    assert.match(thrown.stack ?? '', /^QuotaError: quota exceeded at 10\n\s+at .*worker-errors\.js/);

    const upstream = thrown.cause as Error & { code?: unknown; status?: unknown };
    assert.ok(upstream instanceof Error, String(upstream));
    assert.equal(upstream.message, 'upstream refused');
    assert.equal(upstream.code, 'E_UPSTREAM');
    assert.equal(upstream.status, 503);
    assert.equal(upstream.cause, undefined);
  });

  it('a value its declared type cannot encode: the cause is a SerializationError', async () => {
    const error = await failure({ failure: 'serialization' });
    assert.equal(error.failureCode, 'ERR_SERIALIZATION');
    assert.match(error.task, /Untyped/);
    const cause = error.cause;
    assert.ok(cause instanceof SerializationError, `not rebuilt: ${String(cause)}`);
    assert.equal(cause.code, 'ERR_SERIALIZATION');
    assert.match(cause.message, /Cannot serialize 1 as LONG/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

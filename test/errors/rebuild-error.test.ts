/**
 * The code -> class table that rebuilds worker errors on the main thread: every code in it
 * round-trips (errorData, structured clone, rebuildError) into the same class with the same
 * code, name, message, fields, stack and cause chain; every StromError class strom exports has a
 * code in it; unknown codes, user errors, thrown non-errors and cyclic or deep cause chains
 * come back as documented.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as strom from '../../src/index.js';
import { errors, StromError } from '../../src/errors.js';
import { errorData, MAX_CAUSE_DEPTH, REBUILDERS, rebuildError, thrownData, rebuildThrown, type ErrorData } from '../../src/errors/rebuild-error.js';

/** A system error like the ones node:fs throws. */
function enoent(): Error {
  return Object.assign(new Error("ENOENT: no such file or directory, open '/nope'"), { code: 'ENOENT', errno: -2, syscall: 'open', path: '/nope' });
}

/** One real error per code of the table, built the way strom builds it; causes where the class takes one. */
const SAMPLES: Record<string, () => StromError> = {
  ERR_INVALID_CONFIG: () => errors.invalidConfig('taskmanager.memory.segment-size', -1, 'expected a positive memory size'),
  ERR_CONFIG_SOURCE: () => errors.configSource('/etc/strom/config.yaml', 'no such file'),
  ERR_INSUFFICIENT_NETWORK_BUFFERS: () => errors.insufficientNetworkBuffers(12, 3, 64, 32768),
  ERR_MANAGED_MEMORY_EXCEEDED: () => new strom.ManagedMemoryExceededError("Operator 'Sum (1/1)' needs 65536 more bytes", 65536),
  ERR_SERIALIZATION: () => errors.serialization('LONG', 1, 'expected a bigint'),
  ERR_CORRUPT_RECORD: () => errors.corruptRecord('string length beyond the record'),
  ERR_NATIVE_ADDON: () => new strom.NativeAddonError('Cannot load the native addon', enoent()),
  ERR_USER_FUNCTION: () =>
    errors.userFunction('Parser', 'parse', Object.assign(new RangeError('bad line', { cause: enoent() }), { code: 'E_PARSE', line: 7 })),
  ERR_INVALID_JOB: () => errors.invalidJob('parallelism 0', 'Map'),
  ERR_INSUFFICIENT_SLOTS: () => errors.insufficientSlots(4, 2, ''),
  ERR_SOURCE_FILE: () => errors.sourceFile('/in.txt', 'no such file or directory', enoent()),
  ERR_SOURCE_SOCKET: () => errors.sourceSocket('localhost', 9999, 'connection refused'),
  ERR_SINK_FILE_EXISTS: () => errors.sinkFileExists('/out'),
  ERR_SINK_FILE: () => errors.sinkFile('/out/1', 'permission denied', Object.assign(new Error('EACCES'), { code: 'EACCES' })),
  ERR_JOB_FAILED: () =>
    new strom.JobExecutionError("Job 'j' failed", {
      jobName: 'j',
      task: 'Map (2/4)',
      subtaskIndex: 1,
      operator: 'Map',
      failureCode: 'ERR_USER_FUNCTION',
      cause: errors.userFunction('Map', 'map', new Error('boom')),
    }),
  ERR_JOB_CANCELLED: () => new strom.JobCancelledError('j'),
};

/** `error` after the trip a failure makes: to data, through structured clone, rebuilt. */
function roundTrip(error: unknown): unknown {
  return rebuildThrown(structuredClone(thrownData(error)));
}

/** Own enumerable properties (a class's fields, name and code included), stack and cause excluded. */
function ownFields(error: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'stack' && key !== 'cause'));
}

/** Asserts `rebuilt` is `original` again, down its whole cause chain. */
function assertSame(rebuilt: unknown, original: unknown, path = 'error'): void {
  if (!(original instanceof Error)) {
    assert.deepEqual(rebuilt, original, path);
    return;
  }
  assert.ok(rebuilt instanceof Error, `${path}: ${String(rebuilt)}`);
  assert.equal(Object.getPrototypeOf(rebuilt), Object.getPrototypeOf(original), `${path}: class ${rebuilt.constructor.name}`);
  assert.equal(rebuilt.name, original.name, `${path}.name`);
  assert.equal(rebuilt.message, original.message, `${path}.message`);
  assert.equal(rebuilt.stack, original.stack, `${path}.stack`);
  assert.deepEqual(ownFields(rebuilt), ownFields(original), `${path} fields`);
  assert.equal(Object.hasOwn(rebuilt, 'cause'), Object.hasOwn(original, 'cause'), `${path} has a cause`);
  assertSame(rebuilt.cause, original.cause, `${path}.cause`);
}

describe('REBUILDERS', () => {
  it('has a sample here for every code, and a code for every StromError class strom exports', () => {
    assert.deepEqual(Object.keys(SAMPLES).sort(), [...REBUILDERS.keys()].sort());
    const sampled = new Set(Object.values(SAMPLES).map((sample) => sample().constructor));
    for (const [name, value] of Object.entries(strom)) {
      if (typeof value === 'function' && value.prototype instanceof StromError) {
        assert.ok(sampled.has(value), `${name} has no code in REBUILDERS`);
      }
    }
  });

  for (const [code, sample] of Object.entries(SAMPLES)) {
    it(`rebuilds ${code} into the same class with its fields, stack and cause chain`, () => {
      const original = sample();
      assert.equal(original.code, code);
      const rebuilt = roundTrip(original);
      assertSame(rebuilt, original);
      assert.equal((rebuilt as StromError).code, code);
    });
  }

  it('keeps the class of causes too: a UserFunctionError inside a JobExecutionError', () => {
    const rebuilt = roundTrip(SAMPLES.ERR_JOB_FAILED!()) as strom.JobExecutionError;
    assert.ok(rebuilt.cause instanceof strom.UserFunctionError);
    assert.equal(rebuilt.cause.operatorName, 'Map');
  });
});

describe('rebuildError', () => {
  it('an unknown code comes back as a StromError with that code, its name and fields', () => {
    class QueueFullError extends StromError {
      readonly capacity = 8;
      constructor() {
        super('ERR_QUEUE_FULL', 'the queue is full', { cause: new Error('inner') });
      }
    }
    const original = new QueueFullError();
    const rebuilt = roundTrip(original) as StromError & { capacity?: number };
    assert.ok(rebuilt instanceof StromError);
    assert.equal(rebuilt.code, 'ERR_QUEUE_FULL');
    assert.equal(rebuilt.name, 'QueueFullError');
    assert.equal(rebuilt.message, 'the queue is full');
    assert.equal(rebuilt.capacity, 8);
    assert.equal(rebuilt.stack, original.stack);
    assert.equal((rebuilt.cause as Error).message, 'inner');
  });

  it("a user's error comes back as an Error with its name, message, stack, code and own properties; built-in kinds stay", () => {
    class MyError extends Error {
      override name = 'MyError';
    }
    const original = Object.assign(new MyError('mine'), { code: 'E_MINE', retry: false, details: { not: 'kept' } });
    const rebuilt = roundTrip(original) as Error & { code?: unknown; retry?: unknown; details?: unknown };
    assert.equal(Object.getPrototypeOf(rebuilt), Error.prototype);
    assert.equal(rebuilt.name, 'MyError');
    assert.equal(rebuilt.message, 'mine');
    assert.equal(rebuilt.stack, original.stack);
    assert.equal(rebuilt.code, 'E_MINE');
    assert.equal(rebuilt.retry, false);
    assert.equal(rebuilt.details, undefined, 'only primitive properties travel');
    assert.equal(Object.hasOwn(rebuilt, 'cause'), false);
    const typeError = new TypeError('not a function');
    assertSame(roundTrip(typeError), typeError);
    const system = enoent();
    assertSame(roundTrip(system), system);
  });

  it('a Node error with an ERR_ code is not mistaken for a StromError', () => {
    const original = Object.assign(new TypeError('The "path" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' });
    const rebuilt = roundTrip(original);
    assert.ok(!(rebuilt instanceof StromError));
    assert.ok(rebuilt instanceof TypeError);
    assert.equal((rebuilt as { code?: unknown }).code, 'ERR_INVALID_ARG_TYPE');
  });

  it('thrown non-errors come back as themselves when they can be cloned, else as their description', () => {
    assert.equal(roundTrip('just a string'), 'just a string');
    assert.deepEqual(roundTrip({ reason: 'plain object', n: 1 }), { reason: 'plain object', n: 1 });
    assert.equal(roundTrip({ reason: 'with a function', fn: () => 1 }), '{"reason":"with a function"}');
    const original = errors.userFunction('Map', 'map', 42);
    const rebuilt = roundTrip(original) as strom.UserFunctionError;
    assert.ok(rebuilt instanceof strom.UserFunctionError);
    assert.equal(rebuilt.cause, 42);
  });

  it(`keeps ${MAX_CAUSE_DEPTH} levels of a deep or cyclic cause chain`, () => {
    const cyclic = new Error('loop');
    (cyclic as { cause?: unknown }).cause = cyclic;
    let data: ErrorData | undefined = errorData(cyclic);
    let levels = 0;
    while (data) {
      levels++;
      data = data.cause?.kind === 'error' ? data.cause : undefined;
    }
    assert.equal(levels, MAX_CAUSE_DEPTH + 1);
    let rebuilt: unknown = rebuildError(structuredClone(errorData(cyclic)));
    let depth = 0;
    while (rebuilt instanceof Error) {
      assert.equal(rebuilt.message, 'loop');
      rebuilt = rebuilt.cause;
      depth++;
    }
    assert.equal(depth, MAX_CAUSE_DEPTH + 1);
    assert.equal(rebuilt, undefined);
  });
});

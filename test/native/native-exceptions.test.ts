/**
 * Every C++ exception a binding lets escape becomes a JS error (native/napi/error_translation.h):
 * std::bad_alloc -> NativeAddonError saying the addon ran out of memory in the operation and
 * what to do; another std::exception -> NativeAddonError with what(); any other throw ->
 * NativeAddonError "unknown native exception in <operation>"; a Napi::Error passes through.
 * Checked through the real addon's test-only hooks (native/napi/test_hooks.h), for a function
 * and for an ObjectWrap constructor. Before the translation an escaping exception reached
 * std::terminate, so each case runs in a child process that must report the error and then
 * exit normally (code 0, no signal).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const addonUrl = pathToFileURL(new URL('../../src/native/addon.js', import.meta.url).pathname).href;
const errorsUrl = pathToFileURL(new URL('../../src/errors.js', import.meta.url).pathname).href;

/** What the child saw when it called the hook. */
interface Outcome {
  threw: boolean;
  name: string;
  message: string;
  code: unknown;
  isNativeAddonError: boolean;
  isRangeError: boolean;
  afterwards: number;
}

/**
 * Runs `call` (an expression over `addon`) in a fresh Node process with the real addon loaded,
 * then calls a harmless binding to show the addon still works, and returns what was thrown.
 * Rejects if the child dies (an abort is a signal or a non-zero code).
 */
async function inChild(call: string): Promise<Outcome> {
  const script = `
    const { loadNativeAddon } = await import(${JSON.stringify(addonUrl)});
    const { NativeAddonError } = await import(${JSON.stringify(errorsUrl)});
    const addon = loadNativeAddon();
    let outcome = { threw: false };
    try {
      ${call};
    } catch (error) {
      outcome = {
        threw: true,
        name: error?.constructor?.name,
        message: String(error?.message),
        code: error?.code,
        isNativeAddonError: error instanceof NativeAddonError,
        isRangeError: error instanceof RangeError,
      };
    }
    outcome.afterwards = Object.keys(addon.layoutConstants()).length;
    process.stdout.write(JSON.stringify(outcome));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Outcome;
}

function assertNativeAddonError(outcome: Outcome, message: RegExp): void {
  assert.equal(outcome.threw, true, 'the hook must throw a JS error');
  assert.equal(outcome.isNativeAddonError, true, `expected a NativeAddonError, got ${outcome.name}: ${outcome.message}`);
  assert.equal(outcome.code, 'ERR_NATIVE_ADDON');
  assert.match(outcome.message, message);
  assert.ok(outcome.afterwards > 0, 'the addon must still work after the error');
}

for (const [label, call, operation] of [
  ['function', (kind: string) => `addon.__testThrow(${JSON.stringify(kind)})`, '__testThrow'],
  ['ObjectWrap constructor', (kind: string) => `new addon.__TestThrowing(${JSON.stringify(kind)})`, 'new __TestThrowing'],
] as const) {
  describe(`C++ exceptions thrown by a ${label} become JS errors`, () => {
    it('std::bad_alloc -> NativeAddonError: out of memory in the operation, and what to do', async () => {
      const outcome = await inChild(call('bad_alloc'));
      assertNativeAddonError(outcome, new RegExp(`ran out of memory in ${operation} \\(std::bad_alloc\\)`));
      assert.match(outcome.message, /Give the process more memory or make the job need less/);
    });

    it('std::runtime_error -> NativeAddonError carrying what()', async () => {
      const outcome = await inChild(call('runtime_error'));
      assertNativeAddonError(outcome, new RegExp(`^${operation} failed in strom's native addon: test hook runtime_error$`));
    });

    it('a non-std throw (an int) -> NativeAddonError "unknown native exception in <operation>"', async () => {
      const outcome = await inChild(call('int'));
      assertNativeAddonError(outcome, new RegExp(`^unknown native exception in ${operation}\\b`));
    });

    it('a Napi::RangeError passes through unchanged', async () => {
      const outcome = await inChild(call('range_error'));
      assert.equal(outcome.threw, true);
      assert.equal(outcome.isRangeError, true, `expected a RangeError, got ${outcome.name}`);
      assert.equal(outcome.isNativeAddonError, false);
      assert.equal(outcome.message, 'test hook RangeError');
      assert.ok(outcome.afterwards > 0);
    });
  });
}

describe('test hook arguments', () => {
  it('an unknown kind is a TypeError (argument errors stay TypeError/RangeError)', async () => {
    const outcome = await inChild(`addon.__testThrow('nonsense')`);
    assert.equal(outcome.threw, true);
    assert.equal(outcome.name, 'TypeError');
    assert.match(outcome.message, /kind must be bad_alloc, runtime_error, int or range_error, got nonsense/);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Types, type TypeInformation, type TypeOf } from '../../src/types/type-information.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<_T extends true>(): void {}

test('Types infer the JS value types', () => {
  const t = Types.TUPLE(Types.STRING, Types.DOUBLE);
  expectType<Equal<TypeOf<typeof t>, [string, number]>>();
  const r = Types.ROW({ word: Types.STRING, count: Types.LONG, ok: Types.BOOLEAN, any: Types.GENERIC });
  expectType<Equal<TypeOf<typeof r>, { word: string; count: bigint; ok: boolean; any: unknown }>>();
  const n = Types.TUPLE(Types.ROW({ a: Types.NUMBER }), Types.TUPLE(Types.LONG));
  expectType<Equal<TypeOf<typeof n>, [{ a: number }, [bigint]]>>();
  const asInfo: TypeInformation<[string, number]> = t;
  assert.equal(asInfo.name, 'TUPLE(STRING, DOUBLE)');
  assert.equal(r.name, 'ROW(word: STRING, count: LONG, ok: BOOLEAN, any: GENERIC)');
  assert.deepEqual(r.fieldNames, ['word', 'count', 'ok', 'any']);
  assert.equal(Types.NUMBER, Types.DOUBLE);
});

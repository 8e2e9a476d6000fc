/**
 * The average of a stream of numbers: every value is keyed by one constant key and averaged
 * with `avg`, in BATCH mode so only the final mean is emitted (STREAMING would emit the running
 * mean after every value).
 *
 *   node dist/examples/average.js            # prints "average: 3" for 1,2,3,4,5
 *   node dist/examples/average.js 2 4 9      # prints "average: 5"
 *
 * Or from code: `executeAndCollect(job, { params: { values: '1,2,3' } })` yields `3`... `2`.
 */
import { fileURLToPath } from 'node:url';
import { defineJob, executeAndCollect, Types } from '../src/index.js';

/** `params.values`: comma-separated numbers (default 1,2,3,4,5). */
const job = defineJob((env, params) => {
  const values = (params.values ?? '1,2,3,4,5').split(',').map((v) => Number(v.trim()));
  env.setRuntimeMode('BATCH');
  env
    .fromCollection(values)
    .map((value: number): [string, number] => ['all', value])
    .returns(Types.TUPLE(Types.STRING, Types.DOUBLE))
    .keyBy<string>(0)
    .avg(1)
    .name('Average')
    .map(([, mean]: [string, number]) => mean)
    .returns(Types.DOUBLE)
    .collect();
  return 'Average';
});
export default job;

/** The average of `values`, computed by the job. */
export async function average(values: readonly number[]): Promise<number> {
  const results: number[] = [];
  for await (const mean of executeAndCollect<number>(job, { params: { values: values.join(',') } })) results.push(mean);
  if (results.length !== 1) throw new Error(`expected one average, got ${results.length}`);
  return results[0]!;
}

// Run when started as a program (`node dist/examples/average.js [numbers...]`), not when imported
// by a script that wants `average()`. (Task-slot workers import this module too, but a job never
// runs there: see "A job" in the README.)
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).map(Number);
  console.log(`average: ${await average(args.length > 0 ? args : [1, 2, 3, 4, 5])}`);
}

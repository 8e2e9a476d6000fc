import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineJob } from '../../src/api/define-job.js';
import { planJob } from '../../src/client/plan-job.js';
import { DEFAULT_PARALLELISM, NUMBER_OF_TASK_SLOTS } from '../../src/config/config-options.js';
import { Configuration } from '../../src/config/configuration.js';
import { InsufficientSlotsError } from '../../src/errors.js';
import { explainPlan } from '../../src/graph/explain.js';

const job = defineJob((env) => {
  env.fromSequence(1, 10).map((x: number) => x).print();
});

test('a plain config object applies over STROM_PROPERTIES, as code over the environment', () => {
  const saved = process.env.STROM_PROPERTIES;
  process.env.STROM_PROPERTIES = 'parallelism.default: 2\npipeline.max-parallelism: 64';
  try {
    const fromEnv = planJob(job, {});
    assert.equal(fromEnv.plan.vertices[0]!.vertex.parallelism, 2);
    assert.equal(fromEnv.config.origin('parallelism.default'), 'STROM_PROPERTIES:1');
    const fromCode = planJob(job, { 'parallelism.default': 1 });
    assert.equal(fromCode.plan.vertices[0]!.vertex.parallelism, 1, 'code wins over the environment');
    assert.equal(fromCode.plan.vertices[0]!.vertex.maxParallelism, 64, 'the environment still fills in the rest');
    const exact = planJob(job, new Configuration());
    assert.equal(exact.plan.vertices[0]!.vertex.parallelism, 1, 'a Configuration is used exactly as given');
  } finally {
    if (saved === undefined) delete process.env.STROM_PROPERTIES;
    else process.env.STROM_PROPERTIES = saved;
  }
});

test('without taskmanager.numberOfTaskSlots the TaskManager gets the slots the job needs; a set value is a limit', () => {
  const sized = planJob(job, new Configuration().set(DEFAULT_PARALLELISM, 3));
  assert.equal(sized.plan.totals.slots, 3);
  assert.equal(sized.plan.totals.availableSlots, 3);
  assert.equal(sized.plan.totals.slotsSizedToJob, true);
  assert.match(explainPlan(sized.plan), /Slots: 3 required, 3 available \(taskmanager\.numberOfTaskSlots not set: sized to the job\)/);
  const limited = new Configuration().set(DEFAULT_PARALLELISM, 3).set(NUMBER_OF_TASK_SLOTS, 2);
  assert.throws(() => planJob(job, limited), (e: unknown) => e instanceof InsufficientSlotsError && e.required === 3 && e.available === 2);
  const roomy = planJob(job, new Configuration().set(DEFAULT_PARALLELISM, 3).set(NUMBER_OF_TASK_SLOTS, 8));
  assert.equal(roomy.plan.totals.availableSlots, 8);
  assert.equal(roomy.plan.totals.slotsSizedToJob, false);
});
test("a builder's string return names the job; any other return (an arrow body's stream) keeps the default", () => {
  assert.equal(planJob(defineJob((env) => { env.fromElements(1).print(); return 'Doubler'; })).jobName, 'Doubler');
  assert.equal(planJob(defineJob((env) => { env.fromElements(1).print(); })).jobName, 'strom job');
  // A JS user's arrow returns the sink; it must not become '[object Object]' in messages.
  const arrow = defineJob(((env: { fromElements(...v: number[]): { print(): unknown } }) => env.fromElements(1).print()) as never);
  assert.equal(planJob(arrow).jobName, 'strom job');
});

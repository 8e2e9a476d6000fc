/** The deterministic records of one worker: [key, value] with keys shared across workers. */
export function workerRecords(seed: number, count: number): Array<[string, number]> {
  let x = seed >>> 0 || 1;
  const records: Array<[string, number]> = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    records.push([`key-${(x >>> 0) % 500}`, (x >>> 0) % 100]);
  }
  return records;
}


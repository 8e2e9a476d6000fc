/**
 * Flink's fraud-detection walkthrough, in event time: per account, a transaction under 1.00
 * followed (as the account's next transaction) by one over 500.00 within one minute raises an
 * alert. A small transaction sets a flag in keyed ValueState and an event-time timer one minute
 * later; the account's next transaction clears both (alerting first when it is large and within
 * the minute); the timer clears the flag when the minute passed without one.
 *
 * Event time instead of the walkthrough's processing time: "within one minute" is measured
 * between the transactions' own timestamps, so replaying the same transactions gives the same
 * alerts however fast they are read. Timestamps rise (forMonotonousTimestamps).
 *
 *   strom run examples/fraud-detection.ts                       # the embedded transactions: prints the alerts
 *   strom run examples/fraud-detection.ts -- --input txns.csv   # lines "account,amount,epochMs"
 *
 * `--collect true` sends the alerts to executeAndCollect() instead of printing them.
 */
import {
  defineJob,
  KeyedProcessFunction,
  Types,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessOnTimerContext,
  type ValueState,
} from '../src/index.js';

export interface Transaction {
  accountId: string;
  amount: number;
  /** Event time, epoch ms. */
  timestamp: number;
}

export const TRANSACTION = Types.ROW({ accountId: Types.STRING, amount: Types.DOUBLE, timestamp: Types.DOUBLE });

export const SMALL_AMOUNT = 1.0;
export const LARGE_AMOUNT = 500.0;
export const ONE_MINUTE = 60_000;

export class FraudDetector extends KeyedProcessFunction<string, Transaction, string> {
  /** Set after a small transaction, until the account's next transaction or the minute is over. */
  private flag!: ValueState<boolean>;
  /** When the flag's minute ends (the event-time timer). */
  private timer!: ValueState<number>;

  override open(): void {
    this.flag = this.getRuntimeContext().getState(new ValueStateDescriptor('flag', Types.BOOLEAN));
    this.timer = this.getRuntimeContext().getState(new ValueStateDescriptor('timer', Types.DOUBLE));
  }

  processElement(txn: Transaction, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (this.flag.value() !== null) {
      // Within the minute by the transactions' time, even if the watermark has not passed the timer yet.
      if (txn.amount > LARGE_AMOUNT && txn.timestamp <= this.timer.value()!) {
        out.collect(`alert: account ${txn.accountId}, ${txn.amount.toFixed(2)} at ${new Date(txn.timestamp).toISOString()} after a small transaction`);
      }
      this.cleanUp(ctx);
    }
    if (txn.amount < SMALL_AMOUNT) {
      const timer = txn.timestamp + ONE_MINUTE;
      ctx.timerService().registerEventTimeTimer(timer);
      this.flag.update(true);
      this.timer.update(timer);
    }
  }

  override onTimer(_timestamp: number, _ctx: KeyedProcessOnTimerContext<string>, _out: Collector<string>): void {
    this.flag.clear();
    this.timer.clear();
  }

  private cleanUp(ctx: KeyedProcessContext<string>): void {
    ctx.timerService().deleteEventTimeTimer(this.timer.value()!);
    this.flag.clear();
    this.timer.clear();
  }
}

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** The embedded transactions (timestamps rising): accounts A and C are defrauded, B and D are not. */
export const DEFAULT_TRANSACTIONS: readonly Transaction[] = [
  { accountId: 'A', amount: 0.5, timestamp: T0 },
  { accountId: 'B', amount: 0.3, timestamp: T0 + 1_000 },
  { accountId: 'A', amount: 720.0, timestamp: T0 + 30_000 }, // small then large within a minute: alert
  { accountId: 'C', amount: 12.0, timestamp: T0 + 40_000 },
  { accountId: 'B', amount: 900.0, timestamp: T0 + 65_000 }, // 64 s after the small one: too late
  { accountId: 'D', amount: 0.9, timestamp: T0 + 70_000 },
  { accountId: 'D', amount: 50.0, timestamp: T0 + 80_000 }, // not large: the flag is gone
  { accountId: 'D', amount: 650.0, timestamp: T0 + 85_000 },
  { accountId: 'C', amount: 0.01, timestamp: T0 + 90_000 },
  { accountId: 'C', amount: 501.0, timestamp: T0 + 150_000 }, // exactly one minute later: alert
];

/** "account,amount,epochMs" lines. */
function parse(line: string): Transaction {
  const [accountId, amount, timestamp] = line.split(',').map((s) => s.trim());
  return { accountId: accountId!, amount: Number(amount), timestamp: Number(timestamp) };
}

export default defineJob((env, params) => {
  // One reader keeps the transactions in order up to the keyBy (parallel readers would interleave
  // an account's transactions, and "followed by" needs their order).
  const transactions = params.input
    ? env.readTextFile(params.input).setParallelism(1).filter((line: string) => line.trim().length > 0).setParallelism(1).map(parse).setParallelism(1).returns(TRANSACTION)
    : env.fromCollection(DEFAULT_TRANSACTIONS).returns(TRANSACTION);
  const alerts = transactions
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Transaction>().withTimestampAssigner((txn) => txn.timestamp))
    .setParallelism(1)
    .keyBy('accountId')
    .process(new FraudDetector())
    .name('Fraud Detector');
  if (params.collect === 'true') alerts.collect();
  else alerts.print();
  return 'Fraud Detection';
});

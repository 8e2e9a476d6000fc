/**
 * Flink's StateTtlConfig: how long a keyed state entry lives after it was last written (or
 * read), whether an expired entry that is still stored may be returned, and how expired
 * entries are cleaned up. Time is the slot's processing time, as Flink's only
 * TtlTimeCharacteristic.
 *
 * ```ts
 * const ttl = StateTtlConfig.newBuilder(60_000)
 *   .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
 *   .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
 *   .cleanupIncrementally(10, false)
 *   .build();
 * descriptor.enableTimeToLive(ttl);
 * ```
 *
 * Depends on: ../errors.
 */
import { errors } from '../errors.js';

const UpdateType = Object.freeze({
  /** TTL is off (Flink's Disabled). */
  Disabled: 'Disabled',
  /** The clock restarts when an entry is created or written (the default). */
  OnCreateAndWrite: 'OnCreateAndWrite',
  /** The clock also restarts when an entry is read. */
  OnReadAndWrite: 'OnReadAndWrite',
} as const);
type UpdateType = (typeof UpdateType)[keyof typeof UpdateType];

const StateVisibility = Object.freeze({
  /** An expired entry is never returned, even if not yet removed (the default). */
  NeverReturnExpired: 'NeverReturnExpired',
  /** An expired entry is returned until a cleanup removed it. */
  ReturnExpiredIfNotCleanedUp: 'ReturnExpiredIfNotCleanedUp',
} as const);
type StateVisibility = (typeof StateVisibility)[keyof typeof StateVisibility];

/** Background cleanup: entries checked per state access (incremental) and whether per record too. */
export interface IncrementalCleanup {
  readonly cleanupSize: number;
  readonly runCleanupForEveryRecord: boolean;
}

export class StateTtlConfig {
  static readonly UpdateType = UpdateType;
  static readonly StateVisibility = StateVisibility;
  /** The config of a state without TTL. */
  static readonly DISABLED: StateTtlConfig = new StateTtlConfig(UpdateType.Disabled, StateVisibility.NeverReturnExpired, Number.MAX_SAFE_INTEGER, false, undefined, false);

  private constructor(
    readonly updateType: UpdateType,
    readonly stateVisibility: StateVisibility,
    /** Time to live in ms. */
    readonly ttlMs: number,
    /** Expired entries are left out of full snapshots. */
    readonly cleanupFullSnapshot: boolean,
    /** Incremental cleanup on state access (Flink's default: 5 entries, not per record). */
    readonly incrementalCleanup: IncrementalCleanup | undefined,
    /** Background cleanup off: expired entries are removed only when read. */
    readonly cleanupInBackgroundDisabled: boolean,
  ) {}

  get isEnabled(): boolean {
    return this.updateType !== UpdateType.Disabled;
  }

  /** A builder for entries that live `ttlMs` milliseconds. */
  static newBuilder(ttlMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMs);
  }

  /** @internal */
  static create(b: StateTtlConfigBuilder): StateTtlConfig {
    return new StateTtlConfig(b.updateType, b.stateVisibility, b.ttlMs, b.fullSnapshot, b.incremental, b.backgroundDisabled);
  }
}

export class StateTtlConfigBuilder {
  /** @internal */ updateType: UpdateType = UpdateType.OnCreateAndWrite;
  /** @internal */ stateVisibility: StateVisibility = StateVisibility.NeverReturnExpired;
  /** @internal */ fullSnapshot = false;
  /** @internal */ incremental: IncrementalCleanup | undefined = { cleanupSize: 5, runCleanupForEveryRecord: false };
  /** @internal */ backgroundDisabled = false;

  /** @internal */
  constructor(readonly ttlMs: number) {
    if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0) {
      throw errors.argumentOutOfRange('state time to live', ttlMs, 'expected a whole number of milliseconds > 0');
    }
  }

  setUpdateType(updateType: UpdateType): this {
    if (!Object.values(UpdateType).includes(updateType)) {
      throw errors.invalidArgumentType('TTL update type', updateType, `expected one of ${Object.values(UpdateType).join(', ')}`);
    }
    this.updateType = updateType;
    return this;
  }
  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType(UpdateType.OnCreateAndWrite);
  }
  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType(UpdateType.OnReadAndWrite);
  }

  setStateVisibility(visibility: StateVisibility): this {
    if (!Object.values(StateVisibility).includes(visibility)) {
      throw errors.invalidArgumentType('TTL state visibility', visibility, `expected one of ${Object.values(StateVisibility).join(', ')}`);
    }
    this.stateVisibility = visibility;
    return this;
  }
  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp);
  }
  neverReturnExpired(): this {
    return this.setStateVisibility(StateVisibility.NeverReturnExpired);
  }

  /** Leave expired entries out of full snapshots. */
  cleanupFullSnapshot(): this {
    this.fullSnapshot = true;
    return this;
  }
  /** Check `cleanupSize` entries for expiry on every state access (and every record when asked). */
  cleanupIncrementally(cleanupSize: number, runCleanupForEveryRecord: boolean): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize < 0) throw errors.argumentOutOfRange('TTL cleanup size', cleanupSize, 'expected an integer >= 0');
    this.incremental = { cleanupSize, runCleanupForEveryRecord: Boolean(runCleanupForEveryRecord) };
    return this;
  }
  /** Expired entries are removed only when read (and, with cleanupFullSnapshot, from snapshots). */
  disableCleanupInBackground(): this {
    this.backgroundDisabled = true;
    return this;
  }

  build(): StateTtlConfig {
    return StateTtlConfig.create(this);
  }
}

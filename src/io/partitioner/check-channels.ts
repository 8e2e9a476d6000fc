import { errors } from '../../errors.js';

/** Validates the channel count passed to `ChannelSelector.setup`. */
export function checkNumberOfChannels(numberOfChannels: number): void {
  if (!Number.isSafeInteger(numberOfChannels) || numberOfChannels < 1) {
    throw errors.argumentOutOfRange('numberOfChannels', numberOfChannels, 'expected a positive integer');
  }
}

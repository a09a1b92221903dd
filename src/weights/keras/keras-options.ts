/**
 * Checks of a Keras layer's config options, each failing with the layer and the option named:
 * `<file>: layer 'fc1' (Dense): activation 'gelu' is not supported, …`.
 */
import { InputError } from '../../errors.js';
import type { LayerSpec } from '../../model/model-spec.js';
import { quote } from '../decode-array.js';
import { isRecord, type KerasLayer } from './keras-config.js';

export type Fail = (problem: string) => never;

export function layerFail(file: string, layer: KerasLayer): Fail {
  return (problem) => {
    throw new InputError(file, `layer ${quote(layer.name)} (${layer.className}): ${problem}`);
  };
}

const ACTIVATIONS: Readonly<Record<string, LayerSpec['type'] | undefined>> = {
  linear: undefined,
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  log_softmax: 'log-softmax',
};

/**
 * A layer's `activation` → the layer after it (undefined for linear). Keras 3 writes built-in
 * activations as their name; a serialized function object carries the name as its config. A
 * softmax over an image would be one per pixel over its channels, which our softmax is not.
 */
export function checkActivation(value: unknown, flat: boolean, fail: Fail): LayerSpec | undefined {
  const name = value == null ? 'linear' : typeof value === 'string' ? value : isRecord(value) && typeof value.config === 'string' ? value.config : undefined;
  if (name === undefined) return fail(`has an activation that is not a name: ${JSON.stringify(value)?.slice(0, 60)}`);
  if (!Object.prototype.hasOwnProperty.call(ACTIVATIONS, name)) {
    return fail(`activation ${quote(name)} is not supported, expected linear, relu, sigmoid, tanh, softmax or log_softmax`);
  }
  const type = ACTIVATIONS[name];
  if ((type === 'softmax' || type === 'log-softmax') && !flat) fail(`activation ${quote(name)} over the channels of an image is not supported, only over a flat output`);
  return type === undefined ? undefined : ({ type } as LayerSpec);
}

/** Keras's default data_format is channels_last; channels_first would need another flatten order, so it is refused. */
export function checkFormat(config: Readonly<Record<string, unknown>>, fail: Fail): void {
  const format = config.data_format ?? 'channels_last';
  if (format !== 'channels_last') fail(`data_format ${JSON.stringify(format)} is not supported, only 'channels_last'`);
}

/** An option that must be absent or null (lora_rank, quantization_config, max_value). */
export function checkNone(config: Readonly<Record<string, unknown>>, key: string, fail: Fail): void {
  if (config[key] != null) fail(`${quote(key)} ${JSON.stringify(config[key])?.slice(0, 40)} is not supported`);
}

export function positiveInteger(value: unknown, key: string, fail: Fail): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(`${quote(key)} must be a whole number of at least 1, got ${JSON.stringify(value)?.slice(0, 40)}`);
  return value as number;
}

/** `n` or `[h, w]` (kernel_size, strides, pool_size, dilation_rate) → [h, w]. */
export function kernelPair(value: unknown, key: string, fail: Fail): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2) return fail(`${quote(key)} must be a number or [height, width], got ${JSON.stringify(value)?.slice(0, 40)}`);
  return [positiveInteger(pair[0], key, fail), positiveInteger(pair[1], key, fail)];
}

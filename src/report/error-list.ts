/**
 * Every misclassified image of a run, without its pixels: index, true label, prediction and
 * confidence, kept in growing typed arrays (13 bytes an error, not an object each), in the order
 * they were added.
 */
import type { Prediction } from '../types.js';

export class ErrorList {
  #index = new Float64Array(1024);
  #label = new Uint8Array(1024);
  #predicted = new Int32Array(1024);
  #confidence = new Float32Array(1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  add(index: number, label: number, predicted: number, confidence: number): void {
    if (this.#length === this.#index.length) this.#grow();
    const i = this.#length++;
    this.#index[i] = index;
    this.#label[i] = label;
    this.#predicted[i] = predicted;
    this.#confidence[i] = confidence;
  }

  /** The entries as plain objects, in the order added; confidence as the float32 value the network gave. */
  entries(): Prediction[] {
    const entries = new Array<Prediction>(this.#length);
    for (let i = 0; i < this.#length; i++) {
      entries[i] = { index: this.#index[i], label: this.#label[i], predicted: this.#predicted[i], confidence: this.#confidence[i] };
    }
    return entries;
  }

  /** Calls `visit` with each entry's fields, in the order added, without making an object for it. */
  forEachError(visit: (index: number, label: number, predicted: number, confidence: number, i: number) => void): void {
    for (let i = 0; i < this.#length; i++) visit(this.#index[i], this.#label[i], this.#predicted[i], this.#confidence[i], i);
  }

  #grow(): void {
    const size = this.#index.length * 2;
    const index = new Float64Array(size);
    const label = new Uint8Array(size);
    const predicted = new Int32Array(size);
    const confidence = new Float32Array(size);
    index.set(this.#index);
    label.set(this.#label);
    predicted.set(this.#predicted);
    confidence.set(this.#confidence);
    [this.#index, this.#label, this.#predicted, this.#confidence] = [index, label, predicted, confidence];
  }

}

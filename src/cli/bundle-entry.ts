/**
 * The entry of the bundled CLI (dist/bundle/mnist-eval.js, see scripts/build.mjs): the CLI's
 * `main`, and the hand-over of the threads that bin/mnist-eval.js starts before it loads this
 * bundle (a forward worker, kernel helpers).
 */
export { main } from './main.js';
export { adoptKernelHelpers } from '../workers/kernel-helpers.js';
export { adoptForwardWorkers } from '../workers/forward-pool.js';

/**
 * How many images the HTML report keeps for each cell of its confusion matrix (`--html-cap`).
 * Each kept image is held (rows × cols bytes) until the page is written and inlined in it as a
 * PNG of a few hundred bytes, so the cap bounds both the run's memory and the page's size.
 */
export const DEFAULT_HTML_CAP = 2_000;
/** At 10 classes: 90 error cells × 10,000 MNIST images = 705 MB of pixels at most. */
export const MAX_HTML_CAP = 10_000;

import { PNG } from 'pngjs';

/** The text content of every `<text>` element in a vega SVG, in document order. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
}

/** The root element's `width` and `height` attributes. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const attribute = (name: string): number => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(root)?.[1]);
  return { width: attribute('width'), height: attribute('height') };
}

/** Pixels that are not (almost) white, in a decoded RGBA PNG. */
export function inkPixels(png: PNG): number {
  let ink = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i] < 200 || png.data[i + 1] < 200 || png.data[i + 2] < 200) ink++;
  }
  return ink;
}

/** A typical MNIST test-set confusion matrix (rows: true label), 10 000 images (the real class sizes), 9 650 correct. */
export const MNIST_CONFUSION: number[][] = [
  [973, 0, 1, 1, 0, 2, 1, 1, 1, 0],
  [0, 1122, 3, 2, 0, 1, 3, 1, 3, 0],
  [6, 2, 991, 7, 4, 0, 5, 9, 8, 0],
  [0, 0, 5, 974, 0, 11, 0, 8, 9, 3],
  [1, 0, 4, 0, 947, 0, 7, 2, 2, 19],
  [5, 1, 0, 12, 2, 853, 8, 1, 7, 3],
  [8, 3, 2, 0, 5, 10, 927, 0, 3, 0],
  [1, 6, 14, 4, 2, 0, 0, 986, 2, 13],
  [5, 1, 4, 11, 5, 9, 5, 6, 924, 4],
  [6, 6, 1, 10, 13, 6, 1, 10, 3, 953],
];

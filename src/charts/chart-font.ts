import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * The font that PNG charts are drawn with. resvg has no fonts of its own and, with system fonts off
 * (they are slow to scan and differ between machines), draws no text at all unless it is given a
 * font file. DejaVu Sans comes with Debian's fonts-dejavu-core, which the project's machines have
 * from the start; the other candidates cover other Linux distributions, macOS and Windows.
 * `MNIST_EVAL_CHART_FONT` names a TTF/OTF file to use instead.
 */

export interface ChartFont {
  /** The font file resvg loads. */
  file: string;
  /** Its family name, which the SVG's generic `sans-serif` is mapped to. */
  family: string;
}

export const FONT_CANDIDATES: readonly ChartFont[] = [
  { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' }, // Debian, Ubuntu
  { file: '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', family: 'DejaVu Sans' }, // Fedora
  { file: '/usr/share/fonts/TTF/DejaVuSans.ttf', family: 'DejaVu Sans' }, // Arch
  { file: '/usr/share/fonts/dejavu/DejaVuSans.ttf', family: 'DejaVu Sans' }, // Alpine
  { file: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', family: 'Liberation Sans' },
  { file: '/System/Library/Fonts/Supplemental/Arial.ttf', family: 'Arial' }, // macOS
  { file: '/Library/Fonts/Arial.ttf', family: 'Arial' },
  { file: 'C:\\Windows\\Fonts\\arial.ttf', family: 'Arial' },
];

/**
 * The first font file that exists: `MNIST_EVAL_CHART_FONT` (family given by
 * `MNIST_EVAL_CHART_FONT_FAMILY`, default "DejaVu Sans"), else the first of `FONT_CANDIDATES`.
 * Undefined when there is none; text then needs the system fonts. A missing `MNIST_EVAL_CHART_FONT`
 * file is an InputError.
 */
export function findChartFont(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): ChartFont | undefined {
  const custom = env.MNIST_EVAL_CHART_FONT;
  if (custom) {
    // The user's setting, so an InputError (exit 1, one line), not an internal error.
    if (!exists(custom)) throw new InputError('MNIST_EVAL_CHART_FONT', `${custom} does not exist, expected a TTF or OTF font file`);
    return { file: custom, family: env.MNIST_EVAL_CHART_FONT_FAMILY || 'DejaVu Sans' };
  }
  return FONT_CANDIDATES.find((font) => exists(font.file));
}

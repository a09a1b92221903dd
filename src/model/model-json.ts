/**
 * The text of a JSON model, parsed within bounds: a model is a few dozen layers, so its text is
 * refused past {@link MAX_MODEL_BYTES} and its nesting past {@link MAX_MODEL_DEPTH}. The depth is
 * counted on the raw text, before JSON.parse, by counting brackets outside strings: whatever walks
 * the parsed value recursively (JSON.stringify in a message, the checks of each layer) would
 * overflow the stack on a deep enough nesting, and not every JSON.parse is iterative.
 */
import { InputError } from '../errors.js';

/** The most bytes a model file may hold: far above any list of layers. */
export const MAX_MODEL_BYTES = 2 ** 20;

/** The deepest nesting of arrays and objects a model may have (a layer's size is at depth 4). */
export const MAX_MODEL_DEPTH = 32;

/** Parses the text of a model file named `file`, refusing a nesting deeper than {@link MAX_MODEL_DEPTH}. */
export function parseModelJson(text: string, file: string): unknown {
  checkDepth(text, file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `not valid JSON: ${(error as Error).message}`);
  }
}

function checkDepth(text: string, file: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // a backslash escapes the next character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > MAX_MODEL_DEPTH) {
        throw new InputError(file, `nested more than ${MAX_MODEL_DEPTH} levels deep at character ${i}, deeper than any model`);
      }
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    }
  }
}

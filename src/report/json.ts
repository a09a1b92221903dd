/**
 * The house JSON layout, for every JSON file mnist-eval writes: two-space indents, but arrays of
 * numbers on one line, so a confusion row reads as a row.
 */

/**
 * `value` in that layout, its lines after the first indented by `indent` so that it can sit as a
 * field of an object written at that depth; undefined for what JSON leaves out (undefined, functions).
 */
export function jsonText(value: unknown, indent = ''): string | undefined {
  const text: string | undefined = JSON.stringify(value, null, 2);
  if (text === undefined) return undefined;
  const compact = text.replace(/\[\s+(-?[\d.eE+-]+(?:,\s+-?[\d.eE+-]+)*)\s+\]/g, (_, numbers: string) => `[${numbers.split(/,\s+/).join(', ')}]`);
  // JSON strings hold no raw line breaks, so every one is between two lines of the layout.
  return indent === '' ? compact : compact.replace(/\n/g, `\n${indent}`);
}

/** `value` as a JSON file in the house layout, ending in a line break. */
export function formatJson(value: unknown): string {
  const text = jsonText(value);
  if (text === undefined) throw new TypeError(`formatJson: ${typeof value} has no JSON form`);
  return `${text}\n`;
}

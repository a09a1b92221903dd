/** What a Keras file says of itself, for the report: Keras version, backend, date saved, model name. */

const KEYS = ['keras_version', 'backend', 'date_saved'] as const;
/** WeightFile.metadata holds values of at most 200 characters. */
const MAX_VALUE_CHARS = 200;

/** The string values of `keras_version`, `backend` and `date_saved` in `found`, and the model's name. */
export function kerasMetadata(found: (key: string) => unknown, model?: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const key of KEYS) {
    const value = found(key);
    if (typeof value === 'string') metadata[key] = value.slice(0, MAX_VALUE_CHARS);
  }
  if (model !== undefined) metadata.model = model.slice(0, MAX_VALUE_CHARS);
  return metadata;
}

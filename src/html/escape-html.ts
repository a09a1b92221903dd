/**
 * Safe embedding of untrusted text (file names, layer names) in the HTML report: in element content
 * and quoted attribute values, in a `<script type="application/json">` block, and ids inside inline SVG.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '`, which makes `text` safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * `JSON.stringify(value)` made safe inside `<script type="application/json">`: every `<` becomes
 * `\u003c` (so no `</script>` or `<!--` can end the block), and so do the line separators U+2028
 * and U+2029. `JSON.parse` of the element's text gives `value` back.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Prefixes every id defined in `svg`, and the references to it (`url(#id)`, `href="#id"`), with
 * `prefix-`. Two SVGs inlined in one page share one id space: vega names its gradients and clip
 * paths `gradient_0`, `clip1`…, so the second chart would otherwise pick up the first one's.
 * Also drops an XML declaration or doctype, which may not appear inside HTML.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
  const scoped = (id: string): string => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/^\s*<\?xml[^>]*\?>\s*/, '')
    .replace(/^\s*<!DOCTYPE[^>]*>\s*/i, '')
    .replace(/(\sid=")([^"]+)(")/g, (_, open: string, id: string, close: string) => open + scoped(id) + close)
    .replace(/url\(#([^)\s]+)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(href=")#([^"]+)(")/g, (_, open: string, id: string, close: string) => `${open}#${scoped(id)}${close}`);
}

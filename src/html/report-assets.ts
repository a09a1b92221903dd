/**
 * The HTML report's inline stylesheet and script. The script is plain ES2017 in a string (not a
 * function's `toString()`, which tsx would fill with its own helpers) and builds every node with
 * `textContent` and attributes, never `innerHTML`, so no data can become markup.
 */

export const REPORT_STYLE = `
:root { color-scheme: light; --ink: #222; --muted: #666; --line: #ddd; --accent: #e6550d; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin: 2rem 0 .75rem; font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { margin: 0 0 .5rem; font-size: 1rem; }
.headline { font-size: 1.15rem; margin: 0; }
#accuracy { font-size: 1.6rem; font-weight: 700; }
.hint { color: var(--muted); margin: .25rem 0 .75rem; }
table.summary { border-collapse: collapse; }
table.summary th { text-align: left; font-weight: 600; padding: .2rem 1.2rem .2rem 0; vertical-align: top; white-space: nowrap; }
table.summary td { padding: .2rem 0; overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; }
.matrix { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
#confusion-table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
#confusion-table th { font-weight: 600; padding: .2rem .4rem; color: var(--muted); }
#confusion-table th.corner { font-size: .75rem; font-weight: 400; }
#confusion-table td { padding: 0; border: 1px solid #fff; }
#confusion-table button { display: block; width: 3.2rem; height: 2.4rem; border: 0; margin: 0; font: inherit; font-size: .9rem; background: transparent; color: inherit; cursor: pointer; }
#confusion-table td.empty button { color: #aaa; }
#confusion-table button:hover, #confusion-table button:focus-visible { outline: 2px solid var(--ink); outline-offset: -2px; }
#confusion-table button[aria-pressed="true"] { outline: 3px solid #000; outline-offset: -3px; font-weight: 700; }
#cell-images { flex: 1 1 320px; min-width: 280px; }
.digits { display: flex; flex-wrap: wrap; gap: .5rem; }
.digit { margin: 0; text-align: center; font-size: .75rem; color: var(--muted); }
.digit img { display: block; width: 56px; height: 56px; image-rendering: pixelated; background: #000; border: 1px solid var(--line); }
#mosaic-image { max-width: 100%; image-rendering: pixelated; border: 1px solid var(--line); }
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var images = JSON.parse(document.getElementById('report-images').textContent);
  var names = JSON.parse(document.getElementById('report-classes').textContent);
  var table = document.getElementById('confusion-table');
  var panel = document.getElementById('cell-images');
  var selected = null;

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function count(n) { return n.toLocaleString('en-US'); }
  function plural(n, word) { return count(n) + ' ' + word + (n === 1 ? '' : 's'); }
  function name(c) { return names ? names[c] : String(c); }

  function show(button) {
    var t = Number(button.getAttribute('data-label'));
    var p = Number(button.getAttribute('data-predicted'));
    var total = Number(button.getAttribute('data-count'));
    if (selected) selected.setAttribute('aria-pressed', 'false');
    selected = button;
    button.setAttribute('aria-pressed', 'true');
    panel.textContent = '';
    panel.setAttribute('data-label', String(t));
    panel.setAttribute('data-predicted', String(p));
    panel.appendChild(node('h3', null, 'true ' + name(t) + ', predicted ' + name(p)));
    if (t === p) {
      panel.appendChild(node('p', 'hint', 'correct: ' + plural(total, 'image') + ' (correct images are not kept)'));
      return;
    }
    var kept = images.filter(function (image) { return image.label === t && image.predicted === p; });
    var note = plural(total, 'misclassified image');
    // data-cap: each cell kept its first images up to --html-cap; without it, the mosaic's tiles.
    var cap = panel.getAttribute('data-cap');
    if (kept.length < total) {
      note += cap === null
        ? ', ' + count(kept.length) + ' kept (the rest did not fit in the mosaic)'
        : ', showing the first ' + count(kept.length) + ' (--html-cap ' + cap + ')';
    }
    panel.appendChild(node('p', 'hint', note));
    var grid = node('div', 'digits');
    kept.forEach(function (image) {
      var figure = node('figure', 'digit');
      var img = node('img');
      img.src = image.src;
      img.alt = 'image ' + image.index + ': true ' + name(image.label) + ', predicted ' + name(image.predicted);
      img.title = img.alt + ', confidence ' + image.confidence.toFixed(3);
      figure.appendChild(img);
      figure.appendChild(node('figcaption', null, '#' + image.index + ' ' + image.confidence.toFixed(2)));
      grid.appendChild(figure);
    });
    panel.appendChild(grid);
  }

  table.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-label]');
    if (button) show(button);
  });
})();
`;

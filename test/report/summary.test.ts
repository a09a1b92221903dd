/**
 * formatSummary (src/report/summary.ts): the terminal table lines up for any counts, one space at
 * least between cells, whether the total has 3 digits or 7. Exact text, so a change of layout shows.
 * Through the real CLI: test/cli/unix-manners.test.ts (a run of 100 images).
 */
import test from 'ava';
import { formatSummary } from '../../src/report/summary.js';

/** `total` images, a tenth per class; class t gets t % of its images wrong, predicted as t + 1. */
function report(total: number) {
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let t = 0; t < 10; t++) {
    const wrong = Math.floor((total / 10) * t / 100);
    confusion[t][t] = total / 10 - wrong;
    confusion[t][(t + 1) % 10] += wrong;
  }
  const correct = confusion.reduce((sum, row, t) => sum + row[t], 0);
  return { accuracy: correct / total, correct, total, confusion };
}

const EXPECTED: ReadonlyArray<[number, string]> = [
  [100, `accuracy 1.0000 (100 of 100 correct, 0 misclassified)

confusion (rows: true label, columns: predicted)
           0     1     2     3     4     5     6     7     8     9   acc
     0    10     0     0     0     0     0     0     0     0     0 1.000
     1     0    10     0     0     0     0     0     0     0     0 1.000
     2     0     0    10     0     0     0     0     0     0     0 1.000
     3     0     0     0    10     0     0     0     0     0     0 1.000
     4     0     0     0     0    10     0     0     0     0     0 1.000
     5     0     0     0     0     0    10     0     0     0     0 1.000
     6     0     0     0     0     0     0    10     0     0     0 1.000
     7     0     0     0     0     0     0     0    10     0     0 1.000
     8     0     0     0     0     0     0     0     0    10     0 1.000
     9     0     0     0     0     0     0     0     0     0    10 1.000`],
  [2000, `accuracy 0.9550 (1910 of 2000 correct, 90 misclassified)

confusion (rows: true label, columns: predicted)
           0     1     2     3     4     5     6     7     8     9   acc
     0   200     0     0     0     0     0     0     0     0     0 1.000
     1     0   198     2     0     0     0     0     0     0     0 0.990
     2     0     0   196     4     0     0     0     0     0     0 0.980
     3     0     0     0   194     6     0     0     0     0     0 0.970
     4     0     0     0     0   192     8     0     0     0     0 0.960
     5     0     0     0     0     0   190    10     0     0     0 0.950
     6     0     0     0     0     0     0   188    12     0     0 0.940
     7     0     0     0     0     0     0     0   186    14     0 0.930
     8     0     0     0     0     0     0     0     0   184    16 0.920
     9    18     0     0     0     0     0     0     0     0   182 0.910`],
  [1000000, `accuracy 0.9550 (955000 of 1000000 correct, 45000 misclassified)

confusion (rows: true label, columns: predicted)
               0       1       2       3       4       5       6       7       8       9     acc
       0  100000       0       0       0       0       0       0       0       0       0   1.000
       1       0   99000    1000       0       0       0       0       0       0       0   0.990
       2       0       0   98000    2000       0       0       0       0       0       0   0.980
       3       0       0       0   97000    3000       0       0       0       0       0   0.970
       4       0       0       0       0   96000    4000       0       0       0       0   0.960
       5       0       0       0       0       0   95000    5000       0       0       0   0.950
       6       0       0       0       0       0       0   94000    6000       0       0   0.940
       7       0       0       0       0       0       0       0   93000    7000       0   0.930
       8       0       0       0       0       0       0       0       0   92000    8000   0.920
       9    9000       0       0       0       0       0       0       0       0   91000   0.910`],
];

for (const [total, text] of EXPECTED) {
  test(`${total} images: the table's columns line up`, (t) => {
    t.is(formatSummary(report(total)), text);
  });
}

test('no two cells run together: every row of the matrix splits into 12 fields', (t) => {
  for (const total of [10, 100, 2000, 10_000, 1_000_000]) {
    const [header, ...rows] = formatSummary(report(total)).split('\n').slice(3);
    t.true(rows.every((row) => row.trim().split(/ +/).length === 12 && row.length === header.length), String(total));
  }
});

test('with class names, each row starts with its number and name, left-aligned; the columns keep the numbers', (t) => {
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const lines = formatSummary({ ...report(100), classes: names }).split('\n');
  t.is(lines[3], '                  0     1     2     3     4     5     6     7     8     9   acc');
  t.is(lines[4], '0 T-shirt/top    10     0     0     0     0     0     0     0     0     0 1.000');
  t.is(lines[13], '9 Ankle boot      0     0     0     0     0     0     0     0     0    10 1.000');
  const wide = formatSummary({ ...report(100), classes: names.map((name, i) => (i === 3 ? 'Kleid 👗' : name)) }).split('\n');
  t.is(wide[7], '3 Kleid 👗         0     0     0    10     0     0     0     0     0     0 1.000', 'the width counts characters');
});

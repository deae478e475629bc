import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWindowsJson, windowsToRows } from '../../../eval/nab-data.ts';

describe('NAB label windows', () => {
  it('parses combined_windows.json times (microseconds, no zone = UTC)', () => {
    const w = parseWindowsJson('{"a/x.csv": [["2014-04-10 07:15:00.000000", "2014-04-11 16:45:00.000000"]], "b/y.csv": []}', 'labels.json');
    assert.deepEqual(w['a/x.csv'], [[Date.UTC(2014, 3, 10, 7, 15), Date.UTC(2014, 3, 11, 16, 45)]]);
    assert.deepEqual(w['b/y.csv'], []);
  });
  const ts = [0, 10, 20, 30, 40, 50, 60];
  const cases: Array<[string, Array<[number, number]>, Array<[number, number]>]> = [
    ['exact row times', [[10, 30]], [[1, 3]]],
    ['between rows: first row at/after start, last at/before end', [[15, 45]], [[2, 4]]],
    ['two windows', [[0, 0], [50, 60]], [[0, 0], [5, 6]]],
    ['past the data: dropped', [[70, 90]], []],
    ['no row inside: dropped', [[11, 19]], []],
  ];
  for (const [what, windows, want] of cases) it(what, () => assert.deepEqual(windowsToRows(ts, windows), want));
});

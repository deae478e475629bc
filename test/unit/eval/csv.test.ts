import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelColumnWarnings, parseCsv, splitLine, type CsvOptions } from '../../../eval/csv.ts';

const semi: CsvOptions = { sep: ';', timeCol: 'time', labelCol: 'label', ignoreCols: ['id'] };

describe('splitLine', () => {
  const cases: Array<[string, string, string[]]> = [
    ['a;b;c', ';', ['a', 'b', 'c']],
    ['"a;b";c', ';', ['a;b', 'c']],
    ['"say ""hi""",2', ',', ['say "hi"', '2']],
    ['a||b', '||', ['a', 'b']],
    ['a;;', ';', ['a', '', '']],
  ];
  for (const [line, sep, want] of cases) it(JSON.stringify(line), () => assert.deepEqual(splitLine(line, sep), want));
});

describe('parseCsv', () => {
  it('takes every other numeric column as a channel, in header order', () => {
    const s = parseCsv('time;id;temp;site;label;pressure\n2024-01-01 00:00:00;7;1.5;north;0;10\n2024-01-01 00:01:00;8;2.5;north;1;11\n', 'f.csv', semi);
    assert.deepEqual(s.channels, ['temp', 'pressure']); // id ignored, site not numeric, label and time taken
    assert.deepEqual(s.values, [1.5, 10, 2.5, 11]);
    assert.deepEqual(Array.from(s.labels ?? []), [0, 1]);
    assert.deepEqual(s.timestamps, [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 0, 1)]);
    assert.deepEqual(s.timeText, ['2024-01-01 00:00:00', '2024-01-01 00:01:00']);
  });
  it('carries an empty cell forward and counts it', () => {
    const s = parseCsv('time;v;label\n1;1;0\n2;;0\n3;3;0\n', 'f.csv', semi);
    assert.deepEqual(s.values, [1, 1, 3]);
    assert.equal(s.filledCells, 1);
    assert.deepEqual(s.timestamps, [1000, 2000, 3000]); // small epoch numbers are seconds
  });
  it('keeps a row whose time goes backwards, and counts it', () => {
    const s = parseCsv('time;v;label\n5;1;0\n4;2;0\n6;3;0\n', 'f.csv', semi);
    assert.deepEqual(s.timestamps, [5000, 4000, 6000]);
    assert.equal(s.outOfOrderRows, 1);
  });
  it("numbers rows when there is no time column ('auto' without 'timestamp')", () => {
    const s = parseCsv('v\n5\n6\n', 'f.csv', { sep: ',', timeCol: 'auto', labelCol: null, ignoreCols: [] });
    assert.deepEqual(s.timestamps, [0, 1]);
    assert.equal(s.labels, null);
  });
  const errors: Array<[string, string, RegExp]> = [
    ['missing time column', 'ts;v\n1;2\n', /f\.csv:1: time column 'time' not in header/],
    ['bad time', 'time;v;label\nnope;2;0\n', /f\.csv:2: time 'nope' is not an ISO time/],
    ['bad label', 'time;v;label\n1;2;yes\n', /f\.csv:2: label 'yes' must be 0 or 1/],
    ['short row', 'time;v;label\n1;2\n', /f\.csv:2: expected 3 fields, found 2/],
    ['no channel', 'time;label\n1;0\n', /no numeric channel column/],
  ];
  for (const [what, text, re] of errors) it(`says where: ${what}`, () => assert.throws(() => parseCsv(text, 'f.csv', semi), re));
});

describe('a label-like column read as a channel', () => {
  const text = 'timestamp,temp,Is_Anomaly,flow\n0,1,0,2\n1,1.5,1,2.5\n';
  it('without --label-col it is a channel, and eval warns, naming the file, the column and both flags', () => {
    const s = parseCsv(text, 'plant/a.csv', { sep: ',', timeCol: 'auto', labelCol: null, ignoreCols: [] });
    assert.deepEqual(s.channels, ['temp', 'Is_Anomaly', 'flow']);
    assert.deepEqual(labelColumnWarnings([s], null), [
      "plant/a.csv: column 'Is_Anomaly' looks like a label but is read as a channel (the model would see the answer), because --label-col is not set; pass --label-col Is_Anomaly to score against it, or --ignore-cols Is_Anomaly to leave it out",
    ]);
  });
  it('every name in the list, any case; other names and files are quiet', () => {
    for (const name of ['label', 'LABELS', 'anomaly', 'is_anomaly', 'Target', 'class', 'attack']) {
      assert.equal(labelColumnWarnings([{ name: 'f.csv', channels: ['x', name] }], null).length, 1, name);
    }
    assert.deepEqual(labelColumnWarnings([{ name: 'f.csv', channels: ['x', 'labelled_by', 'anomaly_score_ext'] }], null), []);
  });
  it('no warning with --label-col, or with the column ignored', () => {
    assert.deepEqual(labelColumnWarnings([{ name: 'f.csv', channels: ['x', 'attack'] }], 'label'), []);
    const s = parseCsv(text, 'a.csv', { sep: ',', timeCol: 'auto', labelCol: null, ignoreCols: ['Is_Anomaly'] });
    assert.deepEqual(labelColumnWarnings([s], null), []);
    const labelled = parseCsv(text, 'a.csv', { sep: ',', timeCol: 'auto', labelCol: 'Is_Anomaly', ignoreCols: [] });
    assert.deepEqual([labelled.channels, Array.from(labelled.labels ?? [])], [['temp', 'flow'], [0, 1]]);
  });
});

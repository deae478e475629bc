// The shared flag parser: strict parsing, enum and number checks with messages
// that name the flag, and dotted keys → the nested overrides loadConfig takes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelKinds, orList } from '../../../../common/config/enums.ts';
import { configOverrides, enumFlag, FlagError, listFlag, numberFlag, parseFlags, parseFlagsAndWords, positiveInt } from '../../../../common/config/flags.ts';
import { parseConfigText } from '../../../../common/config/load.ts';

const isFlagError = (re: RegExp) => (err: unknown) => err instanceof FlagError && re.test(err.message);

describe('common/config/flags', () => {
  it('parseFlags: values by name; unknown flags and stray words are refused', () => {
    assert.deepEqual(parseFlags(['--kind', 'sae', '-q'], { kind: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } }), { kind: 'sae', quiet: true });
    assert.throws(() => parseFlags(['--nope'], { kind: { type: 'string' } }), isFlagError(/Unknown option '--nope'/));
    assert.throws(() => parseFlags(['word'], { kind: { type: 'string' } }), isFlagError(/Unexpected argument 'word'/));
    assert.throws(() => parseFlags(['--kind'], { kind: { type: 'string' } }), isFlagError(/--kind/));
  });
  it('parseFlagsAndWords: words in order, flags between them', () => {
    assert.deepEqual(parseFlagsAndWords(['show', '--local', 'default', '3'], { local: { type: 'boolean' } }), { values: { local: true }, words: ['show', 'default', '3'] });
  });
  it('enumFlag names the values as a sentence', () => {
    assert.equal(enumFlag('kind', undefined, modelKinds), undefined);
    assert.equal(enumFlag('kind', 'conv', modelKinds), 'conv');
    assert.throws(() => enumFlag('kind', 'lstm', modelKinds), isFlagError(/^--kind must be dense, dae, sae or conv, got 'lstm'$/));
    assert.deepEqual([orList([]), orList(['a']), orList(['a', 'b']), orList(['a', 'b', 'c'])], ['', 'a', 'a or b', 'a, b or c']);
  });
  it('numberFlag refuses blanks, non-numbers and what the check refuses', () => {
    assert.equal(numberFlag('epochs', '5', positiveInt, 'a positive integer'), 5);
    for (const text of ['', ' ', 'x', '1.5', '0', 'Infinity']) {
      assert.throws(() => numberFlag('epochs', text, positiveInt, 'a positive integer'), isFlagError(new RegExp(`^--epochs must be a positive integer, got '${text}'$`)));
    }
  });
  it('listFlag drops blanks', () => assert.deepEqual(listFlag(' a, ,b,'), ['a', 'b']));
  it('configOverrides nests dotted keys and leaves out flags not given', () => {
    assert.deepEqual(configOverrides({ 'model.kind': 'conv', 'model.training.epochs': 3, 'trainer.backend': undefined, logLevel: 'warn' }), { model: { kind: 'conv', training: { epochs: 3 } }, logLevel: 'warn' });
    assert.deepEqual(configOverrides({ 'model.kind': undefined }), {});
  });
  it('overrides go through the same checks as the file, cross-field rules included', () => {
    assert.throws(() => parseConfigText('', 'f.yaml', {}, configOverrides({ 'trainer.minWindows': 50_000 })), /trainer\.minWindows \(50000\) is larger than trainer\.maxWindows/);
    assert.throws(() => parseConfigText('', 'f.yaml', {}, configOverrides({ 'model.kind': 'lstm' })), /model\.kind: must be one of 'dense', 'dae', 'sae', 'conv', got "lstm"/);
  });
});

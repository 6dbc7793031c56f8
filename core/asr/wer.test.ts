import { expect } from 'chai';
import { alignWords, normalizeForWer, numberToWords, wordErrorRate } from './wer.ts';

describe('ASR word error rate', () => {
  it('normalises case, punctuation and digits the way the references write them', () => {
    expect(normalizeForWer('In 1813, the "Prison" — wasn\'t it?')).to.deep.equal(['in', 'eighteen', 'thirteen', 'the', 'prison', "wasn't", 'it']);
    expect(normalizeForWer('Twenty-one items, 42 left')).to.deep.equal(['twenty', 'one', 'items', 'forty', 'two', 'left']);
    expect(normalizeForWer('1,250 and 2005 and 1905')).to.deep.equal(['one', 'thousand', 'two', 'hundred', 'fifty', 'and', 'two', 'thousand', 'five', 'and', 'nineteen', 'oh', 'five']);
    expect(numberToWords(120)).to.equal('one hundred twenty');
  });

  it('is zero for identical texts after normalisation', () => {
    const r = wordErrorRate('IN EIGHTEEN THIRTEEN', 'in 1813.');
    expect(r).to.include({ wer: 0, substitutions: 0, deletions: 0, insertions: 0, referenceWords: 3 });
  });

  it('counts substitutions, deletions and insertions from a minimal alignment', () => {
    const r = wordErrorRate('the cat sat on the mat', 'the cat sit on the mat today');
    expect(r).to.include({ substitutions: 1, deletions: 0, insertions: 1, referenceWords: 6, hypothesisWords: 7 });
    expect(r.wer).to.equal(2 / 6);
    expect(wordErrorRate('please send the report today', 'please send report today')).to.include({ substitutions: 0, deletions: 1, insertions: 0 });
    expect(wordErrorRate('a b c d e f', 'x b c e f g')).to.include({ substitutions: 1, deletions: 1, insertions: 1 });
  });

  it('can exceed 1 with many insertions and is 1 for an empty hypothesis', () => {
    expect(alignWords(['a'], ['x', 'y', 'z']).wer).to.equal(3);
    expect(wordErrorRate('one two three', '')).to.include({ wer: 1, deletions: 3 });
    expect(wordErrorRate('', '').wer).to.equal(0);
  });
});

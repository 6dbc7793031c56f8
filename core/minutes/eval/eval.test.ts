import { expect } from 'chai';
import { ItemScore, candidatePairs, greedyMatch, lcsLength, rouge, rougeTokens, scoreMeeting, scoringTokens, tokenF1 } from './index.ts';

describe('minutes scoring (SCORING.md)', () => {
  describe('token F1', () => {
    it('lowercases, splits punctuation (incl. underscores) and keeps stopwords', () => {
      expect(scoringTokens("The L_C_D_ display, isn't it?")).to.deep.equal(['the', 'l', 'c', 'd', 'display', 'isn', 't', 'it']);
    });

    it('is multiset F1: 4 shared of 5 predicted and 7 gold tokens → 2/3', () => {
      expect(tokenF1('The remote will be curvy', 'the remote will have a curvy case')).to.be.closeTo(2 / 3, 1e-9);
    });

    it('counts a repeated token only as often as both sides have it', () => {
      // p = [the, the, the], g = [the, cat]: shared 1 → P 1/3, R 1/2 → F1 0.4
      expect(tokenF1('the the the', 'the cat')).to.be.closeTo(0.4, 1e-9);
    });

    it('is 0 when a side is empty', () => {
      expect(tokenF1('', 'anything')).to.equal(0);
      expect(tokenF1('...', 'anything')).to.equal(0);
    });
  });

  describe('candidate pairs and greedy matching', () => {
    it('matches by evidence only when the prediction cites at most 3 segments', () => {
      const gold = [{ text: 'unrelated gold words here', evidence: [3] }];
      const three = [{ text: 'zzz', evidence: [1, 2, 3] }];
      const four = [{ text: 'zzz', evidence: [1, 2, 3, 4] }];
      expect(candidatePairs(three, gold, { useEvidence: true })).to.have.length(1);
      expect(candidatePairs(four, gold, { useEvidence: true })).to.have.length(0);
      expect(candidatePairs(three, gold, { useEvidence: false })).to.have.length(0);
    });

    it('ignores the evidence rule when the gold item has no evidence', () => {
      expect(candidatePairs([{ text: 'zzz', evidence: [1] }], [{ text: 'other', evidence: [] }], { useEvidence: true })).to.deep.equal([]);
    });

    it('on equal F1 puts evidence pairs first, then the lowest gold index', () => {
      const preds = [{ text: 'a b c d', evidence: [1] }];
      const gold = [
        { text: 'a b x y', evidence: [7] }, // F1 0.5, no evidence
        { text: 'c d z w', evidence: [1] }, // F1 0.5, evidence
      ];
      expect(greedyMatch(preds, gold, { useEvidence: true })).to.deep.equal([{ pred: 0, gold: 1, f1: 0.5, evidence: true }]);
      // Without the evidence rule both are plain text pairs: the lower gold index wins.
      expect(greedyMatch(preds, gold, { useEvidence: false })[0]!.gold).to.equal(0);
    });

    it('then the lowest prediction index, and matches one-to-one', () => {
      const preds = [{ text: 'q', evidence: [5] }, { text: 'r', evidence: [5] }];
      const gold = [{ text: 'g', evidence: [5] }];
      expect(greedyMatch(preds, gold, { useEvidence: true })).to.deep.equal([{ pred: 0, gold: 0, f1: 0, evidence: true }]);
    });

    it('prefers the higher F1 pair over an evidence pair', () => {
      const preds = [{ text: 'the team will use rubber buttons', evidence: [9] }];
      const gold = [{ text: 'something else entirely', evidence: [9] }, { text: 'the team will use rubber buttons', evidence: [] }];
      expect(greedyMatch(preds, gold, { useEvidence: true })[0]).to.include({ gold: 1, f1: 1 });
    });

    it('sums micro counts and averages macro F1 only over meetings with gold', () => {
      const s = new ItemScore();
      s.add({ tp: 1, predicted: 2, gold: 1 }); // P .5 R 1 F1 2/3
      s.add({ tp: 0, predicted: 2, gold: 0 }); // no gold: counts against precision only
      s.add({ tp: 0, predicted: 0, gold: 0 }); // adds nothing
      const t = s.totals();
      expect(t).to.include({ tp: 1, predicted: 4, gold: 1, meetingsWithGold: 1 });
      expect(t.p).to.equal(0.25);
      expect(t.r).to.equal(1);
      expect(t.macroF1).to.be.closeTo(2 / 3, 1e-9);
      expect(scoreMeeting([], [{ text: 'x', evidence: [] }], { useEvidence: true })).to.deep.equal({ tp: 0, predicted: 0, gold: 1 });
    });
  });

  describe('ROUGE', () => {
    it('lowercases and Porter-stems tokens longer than 3 characters', () => {
      expect(rougeTokens('The cats are Running!')).to.deep.equal(['the', 'cat', 'are', 'run']);
    });

    it('computes ROUGE-1/2/L F1 on a hand-worked example', () => {
      // cand [the cat are run], ref [the cat run]
      const r = rouge('the cats are running', 'the cat runs');
      expect(r.rouge1).to.be.closeTo(6 / 7, 1e-9); // P 3/4, R 1
      expect(r.rouge2).to.be.closeTo(0.4, 1e-9); // bigram "the cat": P 1/3, R 1/2
      expect(r.rougeL).to.be.closeTo(6 / 7, 1e-9); // LCS "the cat run"
    });

    it('finds the longest common subsequence', () => {
      expect(lcsLength(['a', 'b', 'c', 'd'], ['b', 'd', 'a'])).to.equal(2);
      expect(rouge('', 'x').rouge1).to.equal(0);
    });
  });
});

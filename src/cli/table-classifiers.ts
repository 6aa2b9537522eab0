// Which classifiers of a trained model the comparison tables show (`ff compare`), main one
// first, and how each one tests. A model lists its own classifiers: a supervised FF net offers
// goodness, the softmax and shortlist; a cwc net (--loss cwc) 'groups' and each layer alone;
// backprop its output layer. Where the model offers its algorithm's main classifier the table
// is the algorithm's list (FF: goodness, softmax; BP: output), as it always was; otherwise the
// model's own list, shortlist left out (goodness on the softmax's top k needs a k).
import { getAlgorithm } from '../experiments/algorithms.js';

export interface TableClassifier {
  /** The evaluate() mode. */
  mode: string;
  /** How it tests, in words ('goodness for every label', 'class groups of layer 2'). */
  testing: string;
}

/** The classifiers a comparison table shows for a trained model of an algorithm. */
export function tableClassifiers(algo: string, model: { classifiers: readonly string[] }): TableClassifier[] {
  const listed = getAlgorithm(algo).classifiers;
  const has = (mode: string) => model.classifiers.includes(mode);
  if (has(listed[0].mode)) return listed.filter((c) => has(c.mode));
  return model.classifiers.filter((m) => m !== 'shortlist').map((mode) => ({ mode, testing: listed.find((c) => c.mode === mode)?.testing ?? testingOf(mode) }));
}

/** A classifier mode in words. */
export function testingOf(mode: string): string {
  if (mode === 'groups') return 'class groups, layers summed';
  const layer = /^(groups|probe)-layer(\d+)$/.exec(mode);
  if (layer) return layer[1] === 'groups' ? `class groups of layer ${layer[2]}` : `linear probe on layer ${layer[2]}`;
  if (mode === 'probe') return 'linear probe';
  if (mode === 'shortlist') return "goodness for the softmax's top k";
  return mode;
}

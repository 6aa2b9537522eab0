// Any run's per-class scores for one image, through the model's own classifiers (predict): the
// one that decides (an FF conv net's class groups, a recurrent LC net's goodness for every label) and, where the model
// has it and it is not the main one, the one-pass softmax.
import type { TrainableModel } from '../../src/core.js';
import type { ImageAnalyser } from './image-analyser.js';
import { panel, percent, scoreBars } from './view-parts.js';

/** How a classifier's scores read, in the heading over its bars. */
function described(mode: string, lowerWins: boolean): string {
  if (mode === 'softmax' || mode === 'output') return 'softmax probability per class';
  if (mode === 'goodness') return lowerWins ? 'minus the total goodness per candidate label (this net gives the right label low goodness: the highest bar wins)' : 'total goodness per candidate label (the highest wins)';
  if (mode === 'groups') return "class groups: each class's channel group scores it in every layer, the layers' log-probabilities summed (as a probability)";
  if (mode.startsWith('groups-layer')) return `class groups of layer ${mode.slice('groups-layer'.length)} alone (as a probability)`;
  return `${mode} score per class`;
}

export function scoreAnalyser(model: TrainableModel, body: HTMLElement, names: readonly string[]): ImageAnalyser {
  // An FF net that tries every label decides by goodness (its first classifier is the cheaper softmax).
  const main = model.classifiers.includes('goodness') ? 'goodness' : model.classifiers[0];
  const modes = [main, ...(main !== 'softmax' && model.classifiers.includes('softmax') ? ['softmax'] : [])];
  const els = modes.map((mode, i) => panel(body, i === 0 ? 'class-scores' : 'softmax-scores', `${mode === main ? 'What decides' : 'Beside it'}: ${described(mode, (model.cfg as { goodness?: string }).goodness === 'min-ssq')}`));
  const probability = (mode: string) => mode === 'softmax' || mode === 'output' || mode.startsWith('groups');
  return {
    async show(image) {
      if (!image) {
        els.forEach((el) => el.replaceChildren());
        return null;
      }
      const results = [];
      for (const mode of modes) results.push(await model.predict(image, 1, mode)); // one at a time: the engine is single-threaded
      let best: number | null = null;
      results.forEach(({ scores }, i) => {
        const b = scoreBars(els[i], Array.from(scores), names, probability(modes[i]) ? percent : (v) => v.toFixed(2));
        if (i === 0) best = b;
      });
      return best;
    },
  };
}

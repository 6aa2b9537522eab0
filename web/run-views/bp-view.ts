// A backprop run on one image: the activity of each hidden layer (as FF's page draws it) and
// the output softmax. The forward pass is the library's own (BPNet.forward); the page only
// reads what it leaves in the workspace.
import type { BPModel } from '../../src/bp/bp-model.js';
import { renderActivities } from '../views.js';
import type { ImageAnalyser } from './image-analyser.js';
import { note, panel, percent, scoreBars } from './view-parts.js';

export function bpAnalyser(model: BPModel, body: HTMLElement, names: readonly string[]): ImageAnalyser {
  const net = model.net;
  const engine = model.engine;
  note(body, `Backpropagation trained this net end to end: the image goes up through ${net.numHidden} hidden layer${net.numHidden === 1 ? '' : 's'} once, and a softmax on the last one gives each class a probability. No label goes in and there is no goodness: the highest probability wins.`);
  const softmax = panel(body, 'bp-softmax', 'Output softmax');
  const activity = panel(body, 'bp-activity', 'Hidden activity, layer by layer');
  activity.setAttribute('role', 'group');
  activity.setAttribute('aria-label', 'hidden layer activities');
  return {
    async show(image) {
      if (!image) {
        softmax.replaceChildren();
        activity.replaceChildren();
        return null;
      }
      const ws = net.workspace(1);
      net.stages.beginInference();
      try {
        net.forward(ws, image, 1);
      } finally {
        net.stages.endInference();
      }
      const row = (m: (typeof ws.h)[number]) => engine.read(engine.rowView(m, 0, 1));
      const [probs, ...layers] = await Promise.all([row(ws.out), ...ws.h.map(row)]);
      renderActivities(activity, layers);
      return scoreBars(softmax, Array.from(probs), names, percent);
    },
  };
}

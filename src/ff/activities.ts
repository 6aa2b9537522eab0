// A hidden layer's activities for images shown with the neutral label (every label unit at
// strength/N, as the one-pass softmax sees them): what the explorer draws as a layer's state
// and ranks test images by to show what excites a unit. Recurrent nets: the bottom-up sweep.
import { NEUTRAL } from './labelled-input.js';
import type { FFNet } from './ff-net.js';

const CHUNK = 100;

/** Hidden layer `layer`'s ReLU activities for `count` images (count × width, row-major). */
export async function layerActivities(net: FFNet, images: Float32Array, count: number, layer: number): Promise<Float32Array> {
  if (!Number.isInteger(layer) || layer < 0 || layer >= net.numLayers) throw new Error(`layer must be 0..${net.numLayers - 1}, got ${layer}`);
  const e = net.engine;
  const width = net.cfg.layers[layer];
  const out = new Float32Array(count * width);
  for (let start = 0; start < count; start += CHUNK) {
    const c = Math.min(CHUNK, count - start);
    const ws = net.workspace(c);
    for (let i = 0; i < c; i++) net.input.write(ws.host, i, images, start + i, NEUTRAL);
    net.upload(ws, 0, c);
    net.forward(ws, 0, c, layer + 1);
    out.set(await e.read(e.rowView(ws.y[layer], 0, c)), start * width);
  }
  return out;
}

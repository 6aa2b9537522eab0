// The CIFAR-10 test images a CIFAR run is shown on: the sample ff serve sends
// (api/samples/cifar-10, src/serve/image-sample.ts), picked by index; when there is none (no
// FF_CIFAR_DIR, or a static host: src/serve/sample-answer.ts) the view says so plainly and shows
// no prediction.
import { decodeSamplePack, type SamplePack } from '../../src/core.js';
import { noSampleReason, STATIC_NO_SAMPLE } from '../../src/serve/sample-answer.js';
import { parseHashField } from '../hash-state.js';
import { fieldForm, rgbCanvas, statusLine } from './view-parts.js';

let sample: Promise<SamplePack | string> | null = null;

/** The sample, fetched once per page, or why there is none. */
function cifarSample(): Promise<SamplePack | string> {
  sample ??= (async () => {
    try {
      const res = await fetch('api/samples/cifar-10');
      if (!res.ok) return `no CIFAR-10 test images: the server answered HTTP ${res.status}`;
      const bytes = new Uint8Array(await res.arrayBuffer());
      // No sample: a JSON reason (from ff serve without the data, or the static build's file,
      // which a static host may send under any type); a sample pack starts with "FFSP".
      if (bytes[0] === 0x7b) return noSampleReason(JSON.parse(new TextDecoder().decode(bytes))) ?? STATIC_NO_SAMPLE.why;
      return decodeSamplePack(bytes);
    } catch {
      return 'no CIFAR-10 test images: the server did not answer';
    }
  })();
  return sample;
}

/**
 * The picker under `body`: an index field, the image enlarged and its true class. Calls
 * `show` with each image chosen (first image 0), or with null and the reason when there are none.
 */
export async function cifarPicker(body: HTMLElement, names: readonly string[], show: (image: Float32Array | null) => Promise<void>): Promise<void> {
  const { form, input } = fieldForm('<label>Test image <input id="cifar-index" type="number" min="0" value="0" /></label> <button type="submit">Show</button>', (v) => void choose(v));
  const figure = document.createElement('div');
  figure.id = 'cifar-image';
  const status = statusLine('cifar-status', 'Loading the CIFAR-10 test images…');
  body.append(form, figure, status);
  const pack = await cifarSample();
  if (typeof pack === 'string') {
    status.textContent = `${pack[0].toUpperCase()}${pack.slice(1)}.`;
    status.dataset.absent = '1';
    form.hidden = true;
    await show(null);
    return;
  }
  const t = pack.test;
  const D = t.height * t.width * t.channels;
  input.max = String(t.count - 1);
  const choose = async (raw: string) => {
    const r = parseHashField('img', raw);
    if (!('value' in r) || r.value! >= t.count) {
      status.textContent = `Test image: an integer in 0–${t.count - 1}.`;
      return;
    }
    const i = r.value!;
    const image = t.images.slice(i * D, (i + 1) * D);
    const label = names[t.labels[i]];
    figure.replaceChildren(rgbCanvas(image, t.height, t.width, `CIFAR-10 test image ${i}: a ${label}`));
    figure.dataset.index = String(i);
    status.textContent = `test image ${i} of the ${t.count} sent (true class: ${label})`;
    await show(image);
  };
  await choose('0');
}

// A square grey image (values in [0, 1], row-major) as a canvas of its own size: how the page
// draws MNIST images, drawings and hybrid negatives.
export function grayCanvas(image: ArrayLike<number>, size: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const v = Math.round(image[i] * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

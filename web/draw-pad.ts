// The drawing pad: white strokes on black (as MNIST), by mouse, pen or touch (pointer events),
// turned into a 28×28 image the way MNIST's were made: the ink's bounding box scaled into
// 20×20, then placed so its centre of mass sits at the image centre.
import { grayCanvas } from './gray-canvas.js';

const SIZE = 28;
const BOX = 20;

export class DrawPad {
  private drawing = false;
  private last: [number, number] | null = null;
  inked = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    /** Called after every stroke ends (and after clear/show). */
    private readonly changed: () => void,
  ) {
    const ctx = this.ctx;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    this.clear(false);
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.at(e);
      this.line(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.at(e);
      this.line(this.last ?? p, p);
      this.last = p;
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.changed();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  private get ctx(): CanvasRenderingContext2D {
    return this.canvas.getContext('2d', { willReadFrequently: true })!;
  }

  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private line(a: [number, number], b: [number, number]): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.canvas.width / 12;
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    this.inked = true;
  }

  clear(notify = true): void {
    const ctx = this.ctx;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
    if (notify) this.changed();
  }

  /** Show a 28×28 image (values in [0, 1]) on the pad, enlarged. */
  show(image: Float32Array): void {
    const small = grayCanvas(image, SIZE);
    const ctx = this.ctx;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  /** The drawing as a 28×28 MNIST-like image (values in [0, 1]), or null when nothing is drawn. */
  image(): Float32Array | null {
    const { width: W, height: H } = this.canvas;
    const px = this.ctx.getImageData(0, 0, W, H).data;
    let [x0, y0, x1, y1] = [W, H, -1, -1];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (px[(y * W + x) * 4] > 32) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    if (x1 < 0) return null;
    // Bounding box → 20×20 (aspect kept), then centre of mass → centre of 28×28.
    const scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
    const w = Math.max(1, Math.round((x1 - x0 + 1) * scale));
    const h = Math.max(1, Math.round((y1 - y0 + 1) * scale));
    const box = document.createElement('canvas');
    box.width = w;
    box.height = h;
    const bctx = box.getContext('2d', { willReadFrequently: true })!;
    bctx.imageSmoothingQuality = 'high';
    bctx.drawImage(this.canvas, x0, y0, x1 - x0 + 1, y1 - y0 + 1, 0, 0, w, h);
    const bp = bctx.getImageData(0, 0, w, h).data;
    let [mass, mx, my] = [0, 0, 0];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = bp[(y * w + x) * 4];
      mass += v;
      mx += v * x;
      my += v * y;
    }
    const ox = Math.round(SIZE / 2 - (mass ? mx / mass : w / 2));
    const oy = Math.round(SIZE / 2 - (mass ? my / mass : h / 2));
    const out = new Float32Array(SIZE * SIZE);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const [tx, ty] = [x + ox, y + oy];
      if (tx >= 0 && tx < SIZE && ty >= 0 && ty < SIZE) out[ty * SIZE + tx] = bp[(y * w + x) * 4] / 255;
    }
    return out;
  }
}

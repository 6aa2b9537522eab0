// The drawing pad: white strokes on black (as MNIST), by mouse, pen or touch (pointer events),
// turned into a 28×28 image the way MNIST's were made: the ink's bounding box scaled into
// 20×20, then placed so its centre of mass sits at the image centre.
// The pad's resolution follows its size on screen, and so does the pen. The strokes are kept
// as lines, so the 28×28 image redraws them with a pen scaled to the drawing: a small digit
// gets MNIST's stroke width, not a pen grown bold by enlarging it into the 20×20 box.
import { grayCanvas } from './gray-canvas.js';

const SIZE = 28;
const BOX = 20;
/** The pen in the 28×28 image, pixels (MNIST's strokes are 2–3 pixels wide). */
const NET_PEN = 2.3;
/** Supersampling of the 28×28 redraw (drawn larger, then reduced: smooth edges as MNIST's). */
const SUPER = 4;
/** The pen on screen, as a fraction of the pad's side. */
const SCREEN_PEN = 1 / 14;

type Point = [number, number];

export class DrawPad {
  private drawing = false;
  /** Strokes in pad coordinates (0–1 across and down), as drawn. */
  private strokes: Point[][] = [];
  /** A test image shown under the strokes, or null. */
  private background: Float32Array | null = null;
  inked = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    /** Called after every stroke ends (and after clear/show). */
    private readonly changed: () => void,
  ) {
    this.redraw();
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      const p = this.at(e);
      this.strokes.push([p]);
      this.line(p, p);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const stroke = this.strokes[this.strokes.length - 1];
      const p = this.at(e);
      this.line(stroke[stroke.length - 1], p);
      stroke.push(p);
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.changed();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    // Sharp at any size: the canvas has as many pixels as it shows (the drawing is redrawn).
    new ResizeObserver(() => this.fitToScreen()).observe(canvas);
  }

  private get ctx(): CanvasRenderingContext2D {
    return this.canvas.getContext('2d', { willReadFrequently: true })!;
  }

  private fitToScreen(): void {
    const side = Math.round(Math.min(1024, Math.max(SIZE, this.canvas.getBoundingClientRect().width * (devicePixelRatio || 1))));
    if (side === this.canvas.width) return;
    this.canvas.width = side;
    this.canvas.height = side;
    this.redraw();
  }

  private at(e: PointerEvent): Point {
    const r = this.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
  }

  private line(a: Point, b: Point): void {
    const ctx = this.ctx;
    const W = this.canvas.width;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = W * SCREEN_PEN;
    ctx.beginPath();
    ctx.moveTo(a[0] * W, a[1] * W);
    ctx.lineTo(b[0] * W, b[1] * W);
    ctx.stroke();
    this.inked = true;
  }

  private redraw(): void {
    const ctx = this.ctx;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.background) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(grayCanvas(this.background, SIZE), 0, 0, this.canvas.width, this.canvas.height);
    }
    for (const s of this.strokes) s.forEach((p, i) => this.line(s[Math.max(0, i - 1)], p));
    this.inked = this.strokes.length > 0;
  }

  clear(notify = true): void {
    this.strokes = [];
    this.background = null;
    this.redraw();
    if (notify) this.changed();
  }

  /** Show a 28×28 image (values in [0, 1]) on the pad, enlarged; strokes drawn later go over it. */
  show(image: Float32Array): void {
    this.strokes = [];
    this.background = image;
    this.redraw();
  }

  /** The drawing as a 28×28 MNIST-like image (values in [0, 1]), or null when nothing is drawn. */
  image(): Float32Array | null {
    if (!this.strokes.length) return null;
    // Strokes over a test image: the pixels as they are on the pad (the image has its own width).
    return this.background ? this.fromPixels() : this.fromStrokes();
  }

  /** The strokes redrawn into the 20×20 box with NET_PEN, whatever size they were drawn at. */
  private fromStrokes(): Float32Array {
    const pts = this.strokes.flat();
    const x0 = Math.min(...pts.map((p) => p[0]));
    const y0 = Math.min(...pts.map((p) => p[1]));
    const sx = Math.max(...pts.map((p) => p[0])) - x0;
    const sy = Math.max(...pts.map((p) => p[1])) - y0;
    const k = (BOX - NET_PEN) / Math.max(sx, sy, 1e-3); // image pixels per pad side
    const w = Math.min(BOX, Math.ceil(sx * k + NET_PEN));
    const h = Math.min(BOX, Math.ceil(sy * k + NET_PEN));
    const big = document.createElement('canvas').getContext('2d')!;
    big.canvas.width = w * SUPER;
    big.canvas.height = h * SUPER;
    big.fillStyle = '#000';
    big.fillRect(0, 0, w * SUPER, h * SUPER);
    big.setTransform(SUPER * k, 0, 0, SUPER * k, SUPER * (NET_PEN / 2 - k * x0), SUPER * (NET_PEN / 2 - k * y0));
    big.lineCap = 'round';
    big.lineJoin = 'round';
    big.strokeStyle = '#fff';
    big.lineWidth = NET_PEN / k;
    for (const s of this.strokes) {
      big.beginPath();
      big.moveTo(s[0][0], s[0][1]);
      for (const p of s) big.lineTo(p[0], p[1]);
      big.stroke();
    }
    return centred(reduce(big.canvas, w, h), w, h);
  }

  /** The ink on the pad: its bounding box reduced into 20×20 (aspect kept). */
  private fromPixels(): Float32Array | null {
    const { width: W, height: H } = this.canvas;
    const px = this.ctx.getImageData(0, 0, W, H).data;
    let [x0, y0, x1, y1] = [W, H, -1, -1];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (px[(y * W + x) * 4] > 32) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    if (x1 < 0) return null;
    const scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
    const w = Math.max(1, Math.round((x1 - x0 + 1) * scale));
    const h = Math.max(1, Math.round((y1 - y0 + 1) * scale));
    const box = document.createElement('canvas');
    box.width = x1 - x0 + 1;
    box.height = y1 - y0 + 1;
    box.getContext('2d')!.drawImage(this.canvas, x0, y0, box.width, box.height, 0, 0, box.width, box.height);
    return centred(reduce(box, w, h), w, h);
  }
}

/** `source` reduced to w×h (smoothly), as grey values in [0, 1]. */
function reduce(source: HTMLCanvasElement, w: number, h: number): Float32Array {
  const c = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  c.canvas.width = w;
  c.canvas.height = h;
  c.imageSmoothingQuality = 'high';
  c.drawImage(source, 0, 0, source.width, source.height, 0, 0, w, h);
  const px = c.getImageData(0, 0, w, h).data;
  return Float32Array.from({ length: w * h }, (_, i) => px[i * 4] / 255);
}

/** A w×h box placed in 28×28 so that its centre of mass is the image's centre. */
function centred(box: Float32Array, w: number, h: number): Float32Array {
  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = box[y * w + x];
    mass += v;
    mx += v * x;
    my += v * y;
  }
  const ox = Math.round(SIZE / 2 - (mass ? mx / mass : w / 2));
  const oy = Math.round(SIZE / 2 - (mass ? my / mass : h / 2));
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [tx, ty] = [x + ox, y + oy];
    if (tx >= 0 && tx < SIZE && ty >= 0 && ty < SIZE) out[ty * SIZE + tx] = box[y * w + x];
  }
  return out;
}

// What api/samples/NAME answers when there is no sample to send: a small JSON body saying why,
// with status 200 — from ff serve (no data) and from a static host (the build writes it as a
// file) alike — so the page can say it plainly and the browser logs no failed request.
// No Node module: the page reads it too.

export interface NoSample {
  sample: false;
  /** One line, lower-case first: "no CIFAR-10 test images: …". */
  why: string;
}

export const STATIC_NO_SAMPLE: NoSample = { sample: false, why: 'no CIFAR-10 test images on a static host: ff serve sends a sample of them when FF_CIFAR_DIR names the data' };

/** The reason in a body, if `body` is a NoSample answer; null otherwise. */
export function noSampleReason(body: unknown): string | null {
  const b = body as Partial<NoSample> | null;
  return b && typeof b === 'object' && b.sample === false && typeof b.why === 'string' ? b.why : null;
}

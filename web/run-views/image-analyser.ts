// What a view shows for one image: its panels, filled by `show` (engine work, so async) and
// emptied by `show(null)`; `best` is the predicted class (null: no image).
export interface ImageAnalyser {
  show(image: Float32Array | null): Promise<number | null>;
}

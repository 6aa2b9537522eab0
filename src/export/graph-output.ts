// What a run kind's graph hands back: its outputs, each named after the classifier it computes
// (the --mode of `ff eval`), all batch × classes.
export interface GraphOutput {
  /** The classifier: softmax, goodness, probe, probe-layerK or output. */
  name: string;
  value: string;
  doc: string;
}

// An ONNX graph under construction: nodes in topological order (each added after its inputs),
// constant tensors (initializers), and the graph's typed inputs and outputs. Names are made
// unique here, so the graphs of each run kind only say what they compute.
import { ATTRIBUTE_TYPE, DATA_TYPE, type AttributeMessage, type ModelMessage, type NodeMessage, type TensorMessage, type ValueInfoMessage } from './onnx-proto.js';

/** An attribute value: an integer, a float ({ f }), or a list of integers. */
export type Attr = number | { f: number } | number[];

/** A dimension of a graph input or output: a size, or a name for one chosen at run time. */
export type Dim = number | string;

export class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  readonly inputs: ValueInfoMessage[] = [];
  readonly outputs: ValueInfoMessage[] = [];
  private readonly used = new Set<string>();
  private readonly scalars = new Map<string, string>();

  /** `base`, or `base_2`, `base_3`, … when taken. */
  unique(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** A float32 constant of the given shape. */
  floats(base: string, data: Float32Array, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`constant ${base}: ${data.length} values for shape [${dims.join(',')}]`);
    const raw = new Uint8Array(data.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
    return this.constant(base, dims, DATA_TYPE.FLOAT, raw);
  }

  /** An int64 constant (shapes and axes of ops that take them as inputs). */
  int64s(base: string, values: number[], dims: number[] = [values.length]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    return this.constant(base, dims, DATA_TYPE.INT64, raw);
  }

  /** A float32 scalar, made once per value. */
  scalar(value: number): string {
    const key = String(Math.fround(value));
    let name = this.scalars.get(key);
    if (!name) {
      name = this.floats('const', Float32Array.of(value), []);
      this.scalars.set(key, name);
    }
    return name;
  }

  private constant(base: string, dims: number[], dataType: number, raw: Uint8Array): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims, data_type: dataType, raw_data: raw });
    return name;
  }

  /** One node with one output; returns the output's name. */
  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const output = out ?? this.unique(`${type}_out`);
    if (out) this.used.add(out);
    const attribute: AttributeMessage[] = Object.entries(attrs).map(([name, v]) => {
      if (Array.isArray(v)) return { name, type: ATTRIBUTE_TYPE.INTS, ints: v };
      if (typeof v === 'number') return { name, type: ATTRIBUTE_TYPE.INT, i: v };
      return { name, type: ATTRIBUTE_TYPE.FLOAT, f: v.f };
    });
    this.nodes.push({ name: this.unique(`${type}_node`), op_type: type, input: inputs, output: [output], attribute });
    return output;
  }

  /** A float32 graph input. */
  input(name: string, dims: Dim[], doc: string): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, dims, doc));
    return name;
  }

  /** Make `value` a float32 graph output called `name` (an Identity node renames it). */
  output(name: string, value: string, dims: Dim[], doc: string): void {
    this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, dims, doc));
  }

  graph(name: string, doc: string): ModelMessage['graph'] {
    return { name, doc_string: doc, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

function valueInfo(name: string, dims: Dim[], doc: string): ValueInfoMessage {
  const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, doc_string: doc, type: { tensor_type: { elem_type: DATA_TYPE.FLOAT, shape: { dim } } } };
}

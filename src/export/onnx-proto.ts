// The ONNX file format: a protobuf ModelProto (onnx/onnx.proto, Apache-2.0, © ONNX Project
// Contributors). protobufjs writes it from the subset of the schema declared here through its
// reflection API: only the messages and fields an inference graph of dense layers needs, with
// the names and field numbers of onnx.proto (IR version 10), so each line can be checked against
// that file. Why a declared subset rather than the whole onnx.proto text: the full schema is
// ~900 lines of which we write a tenth, and a subset that is wrong fails the round-trip tests
// (onnxruntime reads every file they write), while an unused part could not.
import protobuf from 'protobufjs';

const { Root } = protobuf;

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;
const opt = (type: string, id: number) => ({ type, id });
const rep = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });

const MESSAGES: Record<string, Fields | { fields: Fields; nested: Record<string, { fields: Fields }> }> = {
  ModelProto: {
    ir_version: opt('int64', 1),
    producer_name: opt('string', 2),
    producer_version: opt('string', 3),
    domain: opt('string', 4),
    model_version: opt('int64', 5),
    doc_string: opt('string', 6),
    graph: opt('GraphProto', 7),
    opset_import: rep('OperatorSetIdProto', 8),
    metadata_props: rep('StringStringEntryProto', 14),
  },
  OperatorSetIdProto: { domain: opt('string', 1), version: opt('int64', 2) },
  StringStringEntryProto: { key: opt('string', 1), value: opt('string', 2) },
  GraphProto: {
    node: rep('NodeProto', 1),
    name: opt('string', 2),
    initializer: rep('TensorProto', 5),
    doc_string: opt('string', 10),
    input: rep('ValueInfoProto', 11),
    output: rep('ValueInfoProto', 12),
  },
  NodeProto: {
    input: rep('string', 1),
    output: rep('string', 2),
    name: opt('string', 3),
    op_type: opt('string', 4),
    attribute: rep('AttributeProto', 5),
    doc_string: opt('string', 6),
    domain: opt('string', 7),
  },
  AttributeProto: {
    name: opt('string', 1),
    f: opt('float', 2),
    i: opt('int64', 3),
    s: opt('bytes', 4),
    t: opt('TensorProto', 5),
    floats: rep('float', 7),
    ints: rep('int64', 8),
    type: opt('int32', 20), // AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7
  },
  TensorProto: {
    dims: rep('int64', 1),
    data_type: opt('int32', 2), // DataType: FLOAT 1, INT64 7
    name: opt('string', 8),
    raw_data: opt('bytes', 9), // little-endian, fixed width
    doc_string: opt('string', 12),
  },
  ValueInfoProto: { name: opt('string', 1), type: opt('TypeProto', 2), doc_string: opt('string', 3) },
  TypeProto: {
    fields: { tensor_type: opt('TypeProto.Tensor', 1), denotation: opt('string', 6) },
    nested: { Tensor: { fields: { elem_type: opt('int32', 1), shape: opt('TensorShapeProto', 2) } } },
  },
  TensorShapeProto: {
    fields: { dim: rep('TensorShapeProto.Dimension', 1) },
    nested: { Dimension: { fields: { dim_value: opt('int64', 1), dim_param: opt('string', 2), denotation: opt('string', 3) } } },
  },
};

const root = Root.fromJSON({
  nested: {
    onnx: {
      nested: Object.fromEntries(Object.entries(MESSAGES).map(([name, m]) => [name, 'fields' in m && 'nested' in m ? m : { fields: m }])),
    },
  },
});

/** IR version 10 (ONNX 1.16): what onnxruntime ≥ 1.17 reads. */
export const IR_VERSION = 10;
/** The default-domain operator set the graphs use (ONNX 1.16; onnxruntime ≥ 1.18, onnxruntime-web alike). */
export const OPSET = 21;

export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorMessage {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeMessage {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
}

/** A tensor's type: float32 with a shape whose dimensions are sizes or named (batch) dimensions. */
export interface ValueInfoMessage {
  name: string;
  doc_string?: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
}

export interface ModelMessage {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  doc_string: string;
  graph: {
    name: string;
    doc_string?: string;
    node: NodeMessage[];
    initializer: TensorMessage[];
    input: ValueInfoMessage[];
    output: ValueInfoMessage[];
  };
  opset_import: { domain: string; version: number }[];
  metadata_props: { key: string; value: string }[];
}

/** The bytes of an .onnx file. */
export function encodeModel(model: ModelMessage): Uint8Array {
  const type = root.lookupType('onnx.ModelProto');
  return type.encode(type.fromObject(model)).finish();
}

/** An .onnx file's bytes as a plain object (tests and tools that inspect what was written). */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = root.lookupType('onnx.ModelProto');
  return type.toObject(type.decode(bytes), { longs: Number, arrays: true }) as ModelMessage;
}

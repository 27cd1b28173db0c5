import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP attribute value, as OTLP/JSON encodes it. */
interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}

interface KeyValue {
  key: string;
  value: AnyValue;
}

/** A span as the exporter sent it (OTLP/JSON: ids in hex), with its attributes read out. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: KeyValue[];
        events?: Array<{ name: string; attributes?: KeyValue[] }>;
        status?: { code?: number; message?: string };
      }>;
    }>;
  }>;
}

function valueOf(value: AnyValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue ?? value.boolValue;
}

const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));

export interface OtlpReceiver {
  /** The base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url: string;
  /** Every request body received, byte for byte, whatever its encoding. */
  bodies: Buffer[];
  /** The content types the exports came with. */
  contentTypes: string[];
  /** Every span received so far. */
  spans(): ReceivedSpan[];
  /** Resolves once a span matching `predicate` has arrived. */
  waitForSpan(predicate: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP receiver: it accepts every export on `/v1/traces`, keeps its bytes, and
 * decodes its spans from OTLP/JSON or OTLP/protobuf.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: Buffer[] = [];
  const contentTypes: string[] = [];
  const received: ReceivedSpan[] = [];
  const arrivals = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body);
      const contentType = req.headers['content-type'] ?? '';
      contentTypes.push(contentType);
      if (req.url === '/v1/traces') {
        received.push(
          ...(contentType.startsWith('application/json')
            ? decode(JSON.parse(body.toString('utf8')) as ExportRequest)
            : decodeProtobuf(body)),
        );
      }
      res.writeHead(200, { 'content-type': contentType || 'application/json' });
      res.end(contentType.startsWith('application/json') ? '{}' : '');
      arrivals.forEach((arrived) => arrived());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    contentTypes,
    spans: () => [...received],
    waitForSpan(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!received.some(predicate)) return;
          arrivals.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`no matching span among ${received.length} received`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function decode(request: ExportRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) =>
    (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          attributes: attributesOf(event.attributes),
        })),
        status: span.status ?? {},
        resource: attributesOf(resource?.attributes),
      })),
    ),
  );
}

type WireValue = bigint | Buffer;
type Fields = Map<number, WireValue[]>;
const NO_FIELDS: Fields = new Map();

function readVarint(bytes: Buffer, start: number): [bigint, number] {
  let value = 0n;
  let at = start;
  for (let shift = 0n; ; shift += 7n) {
    const byte = bytes[at++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return [value, at];
  }
}

/** The fields of one protobuf message, by field number, in wire order. */
function protobufFields(bytes: Buffer): Fields {
  const fields: Fields = new Map();
  for (let at = 0; at < bytes.length;) {
    const [key, afterKey] = readVarint(bytes, at);
    const wireType = Number(key & 7n);
    let value: WireValue;
    if (wireType === 0) {
      [value, at] = readVarint(bytes, afterKey);
    } else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, afterKey);
      at = afterLength + Number(length);
      value = bytes.subarray(afterLength, at);
    } else {
      const size = wireType === 1 ? 8 : 4;
      value = bytes.subarray(afterKey, afterKey + size);
      at = afterKey + size;
    }
    const field = Number(key >> 3n);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const messages = (fields: Fields, field: number) =>
  (fields.get(field) ?? []).map((value) => protobufFields(value as Buffer));
const bytesOf = (fields: Fields, field: number) => fields.get(field)?.[0] as Buffer | undefined;
const numberOf = (fields: Fields, field: number) =>
  Number((fields.get(field)?.[0] as bigint | undefined) ?? 0n);

/** opentelemetry-proto's AnyValue: string 1, bool 2, int 3, double 4, array 5. */
function protobufValue(fields: Fields): unknown {
  if (fields.has(1)) return bytesOf(fields, 1)!.toString('utf8');
  if (fields.has(2)) return numberOf(fields, 2) === 1;
  if (fields.has(3)) return numberOf(fields, 3);
  if (fields.has(4)) return bytesOf(fields, 4)!.readDoubleLE();
  return messages(messages(fields, 5)[0] ?? NO_FIELDS, 1).map(protobufValue);
}

const protobufAttributes = (list: Fields[]) =>
  Object.fromEntries(
    list.map((keyValue) => [
      bytesOf(keyValue, 1)!.toString('utf8'),
      protobufValue(messages(keyValue, 2)[0] ?? NO_FIELDS),
    ]),
  );

/**
 * An ExportTraceServiceRequest in protobuf, after opentelemetry-proto's field numbers:
 * resource_spans 1 { resource 1 { attributes 1 }, scope_spans 2 { spans 2 } }; a span's
 * trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, attributes 9, events 11 { name 2,
 * attributes 3 }, status 15 { message 2, code 3 }.
 */
function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  return messages(protobufFields(body), 1).flatMap((resourceSpans) => {
    const resource = protobufAttributes(messages(messages(resourceSpans, 1)[0] ?? NO_FIELDS, 1));
    return messages(resourceSpans, 2).flatMap((scopeSpans) =>
      messages(scopeSpans, 2).map((span) => {
        const status = messages(span, 15)[0] ?? NO_FIELDS;
        return {
          traceId: bytesOf(span, 1)!.toString('hex'),
          spanId: bytesOf(span, 2)!.toString('hex'),
          parentSpanId: bytesOf(span, 4)?.toString('hex') || undefined,
          name: bytesOf(span, 5)!.toString('utf8'),
          kind: numberOf(span, 6),
          attributes: protobufAttributes(messages(span, 9)),
          events: messages(span, 11).map((event) => ({
            name: bytesOf(event, 2)!.toString('utf8'),
            attributes: protobufAttributes(messages(event, 3)),
          })),
          status: {
            code: numberOf(status, 3),
            ...(status.has(2) && { message: bytesOf(status, 2)!.toString('utf8') }),
          },
          resource,
        };
      }),
    );
  });
}

/** Whether `span` descends from `ancestor` within `spans`. */
export function descendsFrom(
  spans: ReceivedSpan[],
  span: ReceivedSpan,
  ancestor: ReceivedSpan,
): boolean {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) {
    if (at.spanId === ancestor.spanId) return true;
  }
  return false;
}

// Reads a history exported as `temporal workflow show --output json` (or the Web UI's
// download) into the SDK's History object. The SDK's own historyFromJSON fails in this
// install ("type must be a Type"): @temporalio/common and @temporalio/proto each carry a copy
// of protobufjs 8, and its protojson reader checks `instanceof` against the wrong copy. So
// the reader is taken from the protobufjs copy that @temporalio/proto's types belong to.
import { createRequire } from 'node:module';

const fromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const proto = fromProto('@temporalio/proto') as Record<string, unknown>;
const { patchProtobufRoot } = fromProto('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot(root: unknown): { lookupType(name: string): unknown } };
const { fromJson } = fromProto('protobufjs/ext/protojson') as { fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown };
const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');

export function historyFromExportedJson(json: unknown): unknown {
  const history = fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a Temporal history export');
  return history;
}

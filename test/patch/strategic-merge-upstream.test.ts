// src/patch/strategic-merge.ts against test vectors of apimachinery
// pkg/util/strategicpatch/patch_test.go, over a schema shaped like its MergeItem test struct
// (fields, strategies and merge keys are those of the Go struct tags; the schema is written here).
// Each row names the upstream case it reproduces: strategicMergePatchRawTestCases,
// customStrategicMergePatchRawTestCases, customStrategicMergePatchTestCaseData and
// replaceRawExtensionPatchTestCases. "(three-way)" rows apply the case's ThreeWay patch to its
// Current object and expect its Result; the others apply TwoWay to Original and expect
// TwoWayResult (or Modified). Upstream compares the raw cases byte for byte, so list order counts.
import t from 'tap';
import { schemaNodeOf } from '../../src/openapi/patch-meta.js';
import type { JsonObject } from '../../src/openapi/json.js';
import { strategicMergePatch } from '../../src/patch/strategic-merge.js';

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const mergeList = (item: string): JsonObject => ({
  type: 'array',
  items: ref(item),
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': 'name',
});
const ints: JsonObject = { type: 'array', items: { type: 'integer' } };
const strings: JsonObject = { type: 'string' };
const simpleMap: JsonObject = { type: 'object', additionalProperties: strings };

/** MergeItem and RetainKeysMergeItem of patch_test.go as OpenAPI v3 schemas. */
const COMPONENTS: JsonObject = {
  mergeItem: {
    type: 'object',
    properties: {
      name: strings,
      value: strings,
      other: strings,
      mergingList: mergeList('mergeItem'),
      nonMergingList: { type: 'array', items: ref('mergeItem') },
      mergingIntList: { ...ints, 'x-kubernetes-patch-strategy': 'merge' },
      nonMergingIntList: ints,
      mergeItemPtr: mergeList('mergeItem'),
      simpleMap,
      replacingItem: { allOf: [ref('rawExtension')], 'x-kubernetes-patch-strategy': 'replace' },
      jsonItem: { type: 'object' },
      retainKeysMap: { allOf: [ref('retainKeysMergeItem')], 'x-kubernetes-patch-strategy': 'retainKeys' },
      retainKeysMergingList: { ...mergeList('mergeItem'), 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
    },
  },
  retainKeysMergeItem: {
    type: 'object',
    properties: {
      name: strings,
      value: strings,
      other: strings,
      simpleMap,
      mergingIntList: { ...ints, 'x-kubernetes-patch-strategy': 'merge' },
      mergingList: mergeList('mergeItem'),
      nonMergingList: { type: 'array', items: ref('mergeItem') },
    },
  },
  rawExtension: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};
const schema = schemaNodeOf(ref('mergeItem'), COMPONENTS);

type Expected = Record<string, unknown> | { error: string };

/** [upstream description, original, patch, expected result or error substring]. */
const CASES: ReadonlyArray<readonly [string, Record<string, unknown>, Record<string, unknown>, Expected]> = [
  ["nested patch merge with empty list (three-way)", {"name":"hi","mergingList":[{"name":"hello2"}]}, {"$setElementOrder/mergingList":[{"name":"hello"},{"name":"doesntexist"}],"mergingList":[{"name":"hello"}]}, {"name":"hi","mergingList":[{"name":"hello"},{"name":"hello2"}]}],
  ["delete items in lists of scalars (three-way)", {"mergingIntList":[1,2,3,4]}, {"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}, {"mergingIntList":[1,2,4]}],
  ["delete all duplicate items in lists of scalars (three-way)", {"mergingIntList":[1,2,3,3,4]}, {"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}, {"mergingIntList":[1,2,4]}],
  ["merge lists of maps (three-way)", {"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":4},{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":4,"value":4},{"name":3,"value":3}]}, {"mergingList":[{"name":4,"value":4},{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]}],
  ["add field to map in merging list (three-way)", {"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":1}]}, {"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}],
  ["delete map from merging list (three-way)", {"mergingList":[{"name":1},{"name":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":1,"$patch":"delete"}]}, {"mergingList":[{"name":2,"other":"b"}]}],
  ["delete missing map from merging list (three-way)", {"mergingList":[{"name":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":1,"$patch":"delete"}]}, {"mergingList":[{"name":2,"other":"b"}]}],
  ["add map and delete map from merging list (three-way)", {"mergingList":[{"name":1},{"name":2,"other":"b"},{"name":4,"other":"c"}]}, {"$setElementOrder/mergingList":[{"name":2},{"name":3}],"mergingList":[{"name":3},{"name":1,"$patch":"delete"}]}, {"mergingList":[{"name":2,"other":"b"},{"name":4,"other":"c"},{"name":3}]}],
  ["delete field from map in merging list (three-way)", {"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":null}]}, {"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]}],
  ["replace non merging list nested in merging list (three-way)", {"mergingList":[{"name":1,"other":"a","nonMergingList":[{"name":1},{"name":2,"value":2}]},{"name":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"nonMergingList":[{"name":1,"value":1}]}]}, {"mergingList":[{"name":1,"other":"a","nonMergingList":[{"name":1,"value":1}]},{"name":2,"other":"b"}]}],
  ["add field to map in merging list nested in merging list (three-way)", {"mergingList":[{"name":1,"other":"a","mergingList":[{"name":1},{"name":2,"value":2}]},{"name":2,"other":"b"}]}, {"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"$setElementOrder/mergingList":[{"name":1},{"name":2}],"name":1,"mergingList":[{"name":1,"value":1}]}]}, {"mergingList":[{"name":1,"other":"a","mergingList":[{"name":1,"value":1},{"name":2,"value":2}]},{"name":2,"other":"b"}]}],
  ["add map to merging list by pointer (three-way)", {"mergeItemPtr":[{"name":1,"other":"a"},{"name":3}]}, {"$setElementOrder/mergeItemPtr":[{"name":1},{"name":2}],"mergeItemPtr":[{"name":2}]}, {"mergeItemPtr":[{"name":1,"other":"a"},{"name":2},{"name":3}]}],
  ["merge lists of scalars (three-way)", {"mergingIntList":[1,2,4]}, {"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3]}, {"mergingIntList":[1,2,3,4]}],
  ["add an item in a list of primitives and preserve order (three-way)", {"mergingIntList":[1,4,2]}, {"$setElementOrder/mergingIntList":[3,1,2],"mergingIntList":[3]}, {"mergingIntList":[3,1,4,2]}],
  ["delete an item in a list and preserve order (three-way)", {"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]}, {"$setElementOrder/mergingList":[{"name":2},{"name":1}],"mergingList":[{"name":3,"$patch":"delete"}]}, {"mergingList":[{"name":2,"value":2,"other":"b"},{"name":1,"other":"a"}]}],
  ["set elements order in a list with server-only items 2 (three-way)", {"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2},{"name":9},{"name":3,"value":3},{"name":4,"value":4}]}, {"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]}, {"mergingList":[{"name":2,"value":2},{"name":1,"other":"a"},{"name":9},{"name":4,"value":4},{"name":3,"value":3}]}],
  ["set elements order in a list with server-only items 3 (three-way)", {"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2},{"name":7},{"name":9},{"name":8},{"name":3,"value":3},{"name":4,"value":4}]}, {"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]}, {"mergingList":[{"name":2,"value":2},{"name":1,"other":"a"},{"name":7},{"name":9},{"name":8},{"name":4,"value":4},{"name":3,"value":3}]}],
  ["set elements order in a int list with server-only items 3 (three-way)", {"mergingIntList":[1,2,7,9,8,3,4]}, {"$setElementOrder/mergingIntList":[2,1,4,3]}, {"mergingIntList":[2,1,7,9,8,4,3]}],
  ["behavior of set element order for a merging list with duplicate (three-way)", {"mergingList":[{"name":1},{"name":2,"value":"dup1"},{"name":3},{"name":2,"value":"dup2"},{"name":4}]}, {"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3},{"name":2}]}, {"mergingList":[{"name":2,"value":"dup1"},{"name":2,"value":"dup2"},{"name":1},{"name":4},{"name":3}]}],
  ["retainKeys map should clear defaulted field", {}, {"retainKeysMap":{"other":"bar"}}, {"retainKeysMap":{"other":"bar"}}],
  ["retainKeys map adds a field and clear a field (three-way)", {"retainKeysMap":{"name":"foo","other":"a"}}, {"retainKeysMap":{"$retainKeys":["name","value"],"value":"bar"}}, {"retainKeysMap":{"name":"foo","value":"bar"}}],
  ["retainKeys map replaces non-merging list (three-way)", {"retainKeysMap":{"name":"foo","value":"bar","nonMergingList":[{"name":"a"},{"name":"b"}]}}, {"retainKeysMap":{"$retainKeys":["name","nonMergingList","value"],"nonMergingList":[{"name":"a"},{"name":"c"},{"name":"b"}]}}, {"retainKeysMap":{"name":"foo","value":"bar","nonMergingList":[{"name":"a"},{"name":"c"},{"name":"b"}]}}],
  ["retainKeys map deletes an item in nested merging int list (three-way)", {"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3,4]}}, {"retainKeysMap":{"$retainKeys":["mergingIntList","name"],"$deleteFromPrimitiveList/mergingIntList":[2],"$setElementOrder/mergingIntList":[1,3]}}, {"retainKeysMap":{"name":"foo","mergingIntList":[1,3,4]}}],
  ["retainKeys list of maps clears a field (three-way)", {"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a","other":"x"}]}, {"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],"retainKeysMergingList":[{"$retainKeys":["name","value"],"name":"foo"}]}, {"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]}],
  ["delete and reorder in one list, reorder in another (three-way)", {"mergingList":[{"name":"a","value":"a"},{"name":"b","value":"b"}],"mergeItemPtr":[{"name":"c","value":"c"},{"name":"d","value":"d"}]}, {"$setElementOrder/mergingList":[{"name":"b"}],"$setElementOrder/mergeItemPtr":[{"name":"d"},{"name":"c"}],"mergingList":[{"$patch":"delete","name":"a"}]}, {"mergingList":[{"name":"b","value":"b"}],"mergeItemPtr":[{"name":"d","value":"d"},{"name":"c","value":"c"}]}],
  ["$setElementOrder contains item that is not present in the list to be merged", {"mergingList":[{"name":1},{"name":3}]}, {"$setElementOrder/mergingList":[{"name":3},{"name":2},{"name":1}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}, {"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}],
  ["$setElementOrder contains item that is not present in the int list to be merged", {"mergingIntList":[1,3]}, {"$setElementOrder/mergingIntList":[3,2,1]}, {"mergingIntList":[3,1]}],
  ["should check if order in $setElementOrder and patch list match", {"mergingList":[{"name":1},{"name":3},{"name":2}]}, {"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]}, {"error":"doesn't match"}],
  ["missing merge key should error out", {"mergingList":[{"name":1,"value":"a"}]}, {"mergingList":[{"value":"b"}]}, {"error":"does not contain declared merge key"}],
  ["$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list", {"mergingIntList":[1,2]}, {"$deleteFromPrimitiveList/mergingIntList":[3]}, {"mergingIntList":[1,2]}],
  ["$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list", {"foo":["bar"]}, {"$deleteFromPrimitiveList/mergingIntList":[3]}, {"foo":["bar"]}],
  ["$deleteFromPrimitiveList should delete item from a list without merge patch strategy", {"nonMergingIntList":[1,2,3]}, {"$deleteFromPrimitiveList/nonMergingIntList":[2]}, {"nonMergingIntList":[1,3]}],
  ["replace RawExtension field and merge list (three-way)", {"name":"my-object","value":"some-value","other":"current-other","mergingList":[{"name":1},{"name":3}],"replacingItem":{"Some":"Generic","Yaml":"Inside","The":"RawExtension","Field":"Period"}}, {"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":2}],"replacingItem":{"Newly":"Modified","Yaml":"Inside","The":"RawExtension"}}, {"name":"my-object","value":"some-value","other":"current-other","mergingList":[{"name":1},{"name":2},{"name":3}],"replacingItem":{"Newly":"Modified","Yaml":"Inside","The":"RawExtension"}}],

  // customStrategicMergePatchTestCaseData (YAML cases; upstream compares them sorted, these
  // expectations are the unsorted results)
  ['unique scalars when merging lists', { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, { mergingIntList: [1, 2, 3] }],
  ['delete map from nested map', { simpleMap: { key1: 1, key2: 1 } }, { simpleMap: { $patch: 'delete' } }, { simpleMap: {} }],
  ['delete all items from merging list', { mergingList: [{ name: 1 }, { name: 2 }] }, { mergingList: [{ $patch: 'replace' }] }, { mergingList: [] }],
  ['delete all keys from map', { name: 1, value: 1 }, { $patch: 'replace' }, {}],
  ['add key and delete all keys from map', { name: 1, value: 1 }, { other: 'a', $patch: 'replace' }, { other: 'a' }],
  [
    'delete all duplicate entries in a merging list',
    { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
    { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
    { mergingList: [{ name: 2, value: 'a' }] },
  ],
  ['retainKeys map merge an empty map', { retainKeysMap: { name: 'foo', value: 'a' } }, { retainKeysMap: {} }, { retainKeysMap: { name: 'foo', value: 'a' } }],
  [
    'preserve the order from the patch in a merging list 2',
    { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] },
  ],
  ['preserve the order from the patch in a merging int list', { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }, { mergingIntList: [2, 3, 1] }],
  // TestUnknownField
  ['discard nulls in nested and adds not nulls', { name: 'foo' }, { complex_nullable: { key: { keynotnull: 'value', keynull: null } } }, { name: 'foo', complex_nullable: { key: { keynotnull: 'value' } } }],
  ['not filter nulls from non-associative slice', {}, { complex_nullable: ['key1', null, 'key2'] }, { complex_nullable: ['key1', null, 'key2'] }],
  ['null values in original are preserved', { thing: null }, { nested: { value: 5 } }, { thing: null, nested: { value: 5 } }],
  ['diff (unknown field)', { complex: { nested: true } }, { complex: { nested: false } }, { error: 'unable to find api field in struct mergeItem for the json field "complex"' }],
  ['json', { jsonItem: { nested: { a: 1 } } }, { jsonItem: { nested: { a: 2 } } }, { error: 'unable to find api field' }],
];

for (const [description, original, patch, expected] of CASES) {
  t.test(description, async (t) => {
    if ('error' in expected && typeof expected.error === 'string' && Object.keys(expected).length === 1) {
      t.throws(() => strategicMergePatch(original, patch, schema), { message: new RegExp(escape(expected.error)) });
      return;
    }
    t.strictSame(strategicMergePatch(original, patch, schema), expected);
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * SPDY/3.1 codec units: frame bytes against vectors worked out from the spec's layouts, decode
 * round trips, the reader cutting frames out of arbitrary chunks, name/value blocks, the SPDY/3
 * zlib dictionary (its zlib id in the first compressed block) and the shared, sync-flushed
 * header contexts (checked with an independent one-shot inflate).
 */
import t from 'tap';
import zlib from 'node:zlib';
import {
  decodeFrame, encodeData, encodeGoAway, encodeHeaders, encodePing, encodeRstStream, encodeSettings, encodeSynReply, encodeSynStream, encodeWindowUpdate,
  FrameReader, GOAWAY, HEADERS, PING, RST_STREAM, SETTINGS, SYN_REPLY, SYN_STREAM, WINDOW_UPDATE, type ControlFrame,
} from '../../src/http/pod-io/spdy/frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor, headerMap, SPDY3_DICTIONARY } from '../../src/http/pod-io/spdy/headers.js';

const hex = (b: Buffer) => b.toString('hex');
const decode = (bytes: Buffer) => decodeFrame(bytes.subarray(0, 8), bytes.subarray(8));

t.test('control and data frame bytes', async (t) => {
  // DATA: control bit 0, stream id 31 bits; flags (FIN=1) then a 24-bit length.
  t.equal(hex(encodeData(1, Buffer.from('hi'), true)), '00000001' + '01000002' + '6869');
  t.equal(hex(encodeData(0x7fffffff, Buffer.alloc(0))), '7fffffff' + '00000000');
  // Control: 0x8000 | version 3, type; flags, length.
  t.equal(hex(encodePing(1)), '80030006' + '00000004' + '00000001');
  t.equal(hex(encodeGoAway(5)), '80030007' + '00000008' + '00000005' + '00000000');
  t.equal(hex(encodeGoAway(7, 1)), '80030007' + '00000008' + '00000007' + '00000001');
  t.equal(hex(encodeRstStream(3, 5)), '80030003' + '00000008' + '00000003' + '00000005');
  t.equal(hex(encodeWindowUpdate(3, 65536)), '80030009' + '00000008' + '00000003' + '00010000');
  t.equal(hex(encodeWindowUpdate(0, 1)), '80030009' + '00000008' + '00000000' + '00000001', 'stream 0: the session window (3.1)');
  t.equal(hex(encodeSettings([{ id: 7, value: 65536, flags: 1 }])), '80030004' + '0000000c' + '00000001' + '01000007' + '00010000');
  const block = Buffer.from('abcd', 'latin1');
  // SYN_STREAM: stream id, associated id, priority in the top 3 bits, slot, then the block.
  t.equal(hex(encodeSynStream(1, block, { fin: true, priority: 3 })), '80030001' + '0100000e' + '00000001' + '00000000' + '6000' + '61626364');
  t.equal(hex(encodeSynStream(3, block, { unidirectional: true })), '80030001' + '0200000e' + '00000003' + '00000000' + '0000' + '61626364');
  t.equal(hex(encodeSynReply(1, block)), '80030002' + '00000008' + '00000001' + '61626364');
  t.equal(hex(encodeHeaders(5, block, true)), '80030008' + '01000008' + '00000005' + '61626364');
});

t.test('frames decode to what was encoded', async (t) => {
  const data = decode(encodeData(9, Buffer.from('payload'), true));
  t.same(data, { kind: 'data', streamId: 9, flags: 1, data: Buffer.from('payload') });
  const syn = decode(encodeSynStream(11, Buffer.from('zz'), { priority: 7, associatedStreamId: 2 })) as ControlFrame;
  t.match(syn, { kind: 'control', type: SYN_STREAM, version: 3, flags: 0, streamId: 11, associatedStreamId: 2, priority: 7 });
  t.equal(syn.headerBlock!.toString(), 'zz');
  t.match(decode(encodeSynReply(11, Buffer.from('r'), true)), { type: SYN_REPLY, streamId: 11, flags: 1 });
  t.match(decode(encodeHeaders(11, Buffer.from('h'))), { type: HEADERS, streamId: 11 });
  t.match(decode(encodeRstStream(11, 3)), { type: RST_STREAM, streamId: 11, status: 3 });
  t.match(decode(encodeGoAway(11, 2)), { type: GOAWAY, streamId: 11, status: 2 });
  t.match(decode(encodeWindowUpdate(11, 1000)), { type: WINDOW_UPDATE, streamId: 11, delta: 1000 });
  t.match(decode(encodePing(0xfffffffe)), { type: PING, pingId: 0xfffffffe });
  t.same((decode(encodeSettings([{ id: 4, value: 100 }, { id: 7, value: 1 << 20, flags: 2 }])) as ControlFrame).settings, [
    { flags: 0, id: 4, value: 100 },
    { flags: 2, id: 7, value: 1 << 20 },
  ]);
  t.equal((decode(encodeSettings([])) as ControlFrame).type, SETTINGS);
  t.throws(() => decodeFrame(Buffer.from('8003000300000004', 'hex'), Buffer.alloc(4)), /too short/, 'a short RST_STREAM is a protocol error');
});

t.test('the reader cuts frames out of any chunking', async (t) => {
  const wire = Buffer.concat([encodePing(1), encodeData(1, Buffer.from('abc')), encodeData(1, Buffer.alloc(70_000, 7), true), encodeGoAway(1)]);
  for (const size of [1, 3, 8, 1000, wire.length]) {
    const reader = new FrameReader();
    const frames = [];
    for (let at = 0; at < wire.length; at += size) frames.push(...reader.push(wire.subarray(at, at + size)));
    t.equal(frames.length, 4, `chunks of ${size}`);
    t.equal(reader.pending, 0);
    t.match(frames[0], { kind: 'control', type: PING, pingId: 1 });
    t.equal((frames[1] as { data: Buffer }).data.toString(), 'abc');
    t.equal((frames[2] as { data: Buffer }).data.length, 70_000);
    t.equal(frames[2]!.flags, 1);
    t.match(frames[3], { type: GOAWAY });
  }
});

t.test('name/value blocks', async (t) => {
  const block = encodeHeaderBlock(headerMap({ streamType: 'error' }));
  // pair count, then 32-bit length + name (lower-cased), 32-bit length + value.
  t.equal(hex(block), '00000001' + '0000000a' + Buffer.from('streamtype').toString('hex') + '00000005' + Buffer.from('error').toString('hex'));
  const multi = encodeHeaderBlock(headerMap({ port: '80', accept: ['a', 'b'] }));
  t.equal(hex(multi.subarray(multi.length - 7)), '00000003' + '610062', 'several values joined by NUL');
  t.same([...decodeHeaderBlock(multi)], [['port', ['80']], ['accept', ['a', 'b']]]);
  t.same([...decodeHeaderBlock(encodeHeaderBlock(new Map()))], []);
  t.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), /truncated/);
});

/** zlib's Adler-32, written out to check the dictionary id independently. */
function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

t.test('the SPDY/3 dictionary', async (t) => {
  t.equal(SPDY3_DICTIONARY.length, 1423, 'its length in the spec');
  t.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('hex'), '000000076f7074696f6e73', 'starts with length-prefixed "options"');
  t.ok(SPDY3_DICTIONARY.subarray(-6).equals(Buffer.from('enq=0.')), 'ends with "enq=0."');
  const compressor = new HeaderCompressor();
  const first = await compressor.compress(headerMap({ streamtype: 'data' }));
  compressor.close();
  t.equal(first[1]! & 0x20, 0x20, 'the zlib header sets FDICT');
  t.equal(first.readUInt32BE(2), adler32(SPDY3_DICTIONARY), 'and names the dictionary by its Adler-32');
  t.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
});

t.test('header contexts are shared across blocks and sync-flushed', async (t) => {
  const compressor = new HeaderCompressor();
  const decompressor = new HeaderDecompressor();
  const headers = headerMap({ streamtype: 'data', port: '8080', requestid: '0' });
  const blocks = await Promise.all([compressor.compress(headers), compressor.compress(headers), compressor.compress(headerMap({ streamtype: 'error' }))]);
  t.ok(blocks[1]!.length < blocks[0]!.length, `the second block reuses the context (${blocks[1]!.length} < ${blocks[0]!.length} bytes)`);
  for (const block of blocks) t.equal(hex(block.subarray(-4)), '0000ffff', 'each block ends in a sync flush');
  // An independent one-shot inflate of the whole stream reads every block.
  const all = zlib.inflateSync(Buffer.concat(blocks), { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  t.ok(all.equals(Buffer.concat([encodeHeaderBlock(headers), encodeHeaderBlock(headers), encodeHeaderBlock(headerMap({ streamtype: 'error' }))])));
  const decoded = await Promise.all(blocks.map((b) => decompressor.decompress(b)));
  t.same(decoded.map((h) => [...h]), [[...headers], [...headers], [['streamtype', ['error']]]]);
  compressor.close();
  decompressor.close();
});

/**
 * The SPDY session against a scripted client (frames built with the codec, the client's own
 * header contexts): streams opened and replied to, DATA both ways with FIN, RST_STREAM, PING
 * answered only for client pings, WINDOW_UPDATE per stream and for the session, stream id
 * rules, GOAWAY on close and on a malformed frame.
 */
import t from 'tap';
import {
  encodeData, encodePing, encodeRstStream, encodeSynStream, FrameReader, GOAWAY, PING, RST_STREAM, SYN_REPLY, WINDOW_UPDATE, type ControlFrame, type Frame,
} from '../../src/http/pod-io/spdy/frames.js';
import { HeaderCompressor, HeaderDecompressor, headerMap, headerValue } from '../../src/http/pod-io/spdy/headers.js';
import { SpdySession, type SpdyStream } from '../../src/http/pod-io/spdy/session.js';
import { eventually } from '../helpers/wait.js';

/** A client on the other end of a session: what it sent and what came back. */
function harness() {
  const reader = new FrameReader();
  const received: Frame[] = [];
  const streams: SpdyStream[] = [];
  let ended = false;
  let closed = false;
  let lateWrites = 0;
  const session = new SpdySession(
    { write: (bytes) => (ended ? lateWrites++ : received.push(...reader.push(bytes))), end: () => (ended = true) },
    { onStream: (stream) => streams.push(stream), onClose: () => (closed = true) },
  );
  const compressor = new HeaderCompressor();
  const decompressor = new HeaderDecompressor();
  const open = async (id: number, headers: Record<string, string>, options: { fin?: boolean } = {}) =>
    session.receive(encodeSynStream(id, await compressor.compress(headerMap(headers)), options));
  const controls = (type: number) => received.filter((f): f is ControlFrame => f.kind === 'control' && f.type === type);
  const data = (id: number) => received.filter((f) => f.kind === 'data' && f.streamId === id) as { data: Buffer; flags: number }[];
  const done = () => {
    compressor.close();
    decompressor.close();
  };
  return { session, received, streams, open, controls, data, decompressor, done, ended: () => ended, closed: () => closed, lateWrites: () => lateWrites };
}

t.test('streams: open, reply, data both ways, FIN, reset', async (t) => {
  const h = harness();
  t.teardown(h.done);
  await h.open(1, { streamType: 'stdout', port: '80' });
  await eventually(() => h.streams.length === 1, 'the stream reached the handler');
  const stream = h.streams[0]!;
  t.equal(stream.id, 1);
  t.equal(headerValue(stream.headers, 'streamtype'), 'stdout', 'headers decompressed, names lower case');
  await eventually(() => h.controls(SYN_REPLY).length === 1, 'SYN_REPLY');
  const reply = h.controls(SYN_REPLY)[0]!;
  t.equal(reply.streamId, 1);
  t.same([...(await h.decompressor.decompress(reply.headerBlock!))], [], 'an empty reply header block the client can read');

  const got: string[] = [];
  let ended = false;
  let closed = false;
  stream.on({ data: (d) => got.push(d.toString()), end: () => (ended = true), close: () => (closed = true) });
  h.session.receive(Buffer.concat([encodeData(1, Buffer.from('one')), encodeData(1, Buffer.from('two'), true)]));
  await eventually(() => ended, 'the client FIN');
  t.same(got, ['one', 'two']);
  t.notOk(closed, 'half closed: kubemu may still write');
  stream.write(Buffer.from('back'));
  stream.end();
  await eventually(() => closed, 'closed once both sides finished');
  t.same(h.data(1).map((f) => [f.data.toString(), f.flags]), [['back', 0], ['', 1]], 'DATA then an empty FIN frame');
  stream.write(Buffer.from('late'));
  t.equal(h.data(1).length, 2, 'nothing after FIN');
  t.equal(h.session.streams.size, 0, 'the table forgets closed streams');

  await h.open(3, { streamType: 'stdin' });
  await eventually(() => h.streams.length === 2, 'second stream');
  let reset = false;
  h.streams[1]!.on({ close: () => (reset = true) });
  h.session.receive(encodeRstStream(3, 5));
  await eventually(() => reset, 'RST_STREAM closes the stream');
});

t.test('stream ids: even or reused ids are refused; a FIN on SYN_STREAM is replayed', async (t) => {
  const h = harness();
  t.teardown(h.done);
  await h.open(2, { streamType: 'error' });
  await h.open(5, { streamType: 'error' }, { fin: true });
  await h.open(5, { streamType: 'data' });
  await eventually(() => h.controls(RST_STREAM).length === 2, 'two resets');
  t.same(h.controls(RST_STREAM).map((f) => [f.streamId, f.status]), [[2, 1], [5, 1]], 'PROTOCOL_ERROR for an even id and a reused one');
  t.equal(h.streams.length, 1);
  let ended = false;
  h.streams[0]!.on({ end: () => (ended = true) });
  t.ok(ended, 'the client had already finished its side');
});

t.test('pings, window updates, GOAWAY', async (t) => {
  const h = harness();
  t.teardown(h.done);
  h.session.receive(Buffer.concat([encodePing(7), encodePing(8)]));
  await eventually(() => h.controls(PING).length === 1, 'a ping answer');
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(h.controls(PING).map((f) => f.pingId), [7], "the client's ping (odd) is echoed, an even one is not");

  await h.open(1, { streamType: 'data' });
  await eventually(() => h.streams.length === 1, 'stream');
  h.streams[0]!.on({ data: () => undefined });
  h.session.receive(Buffer.concat([encodeData(1, Buffer.alloc(20_000)), encodeData(1, Buffer.alloc(20_000))]));
  await eventually(() => h.controls(WINDOW_UPDATE).length === 2, 'window updates');
  t.same(h.controls(WINDOW_UPDATE).map((f) => [f.streamId, f.delta]).sort(), [[0, 40_000], [1, 40_000]], 'the stream and the session window');

  h.session.close();
  await eventually(() => h.ended(), 'the transport ends after GOAWAY');
  t.same(h.controls(GOAWAY).map((f) => [f.streamId, f.status]), [[1, 0]], 'GOAWAY names the last stream, status OK');
  h.session.receive(Buffer.concat([encodePing(9), encodeData(1, Buffer.alloc(40_000))]));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(h.lateWrites(), 0, 'nothing is written after the transport was ended (no pong, no window update)');
  h.session.transportClosed();
  t.ok(h.closed());
});

t.test('a malformed frame ends the connection with GOAWAY PROTOCOL_ERROR', async (t) => {
  const h = harness();
  t.teardown(h.done);
  h.session.receive(Buffer.from('8003000300000004' + '00000001', 'hex')); // RST_STREAM with 4 bytes
  await eventually(() => h.ended(), 'the transport ends');
  t.same(h.controls(GOAWAY).map((f) => f.status), [1]);
  t.ok(h.closed());
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { SourceError } from '../../../src/errors.js';
import { createSourceReader, SourceStatus, type SourceReader, type SourceReaderOptions } from '../../../src/runtime/sources/source-reader.js';
import { drain } from './drain.js';

/** A TCP server on 127.0.0.1 (port 0); `accepted` resolves with the first connection's socket. */
async function startServer(): Promise<{ server: Server; port: number; accepted: Promise<Socket> }> {
  const server = createServer();
  const accepted = once(server, 'connection').then(([socket]) => socket as Socket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

function socketReader(port: number, delimiter = '\n', options: SourceReaderOptions = {}): SourceReader<unknown> {
  return createSourceReader({ kind: 'socket', host: '127.0.0.1', port, delimiter }, { subtaskIndex: 0, parallelism: 1 }, options);
}

describe('SocketSourceReader', () => {
  it('reassembles lines and multi-byte characters cut across writes, flushes the last partial line and ends on close', async () => {
    const { server, port, accepted } = await startServer();
    const reader = socketReader(port);
    assert.equal(reader.poll(10, () => assert.fail('nothing yet')), SourceStatus.WAITING);
    assert.ok(reader.ready instanceof Promise);
    const peer = await accepted;
    peer.setNoDelay(true);
    const euro = Buffer.from('€', 'utf8'); // e2 82 ac
    // Each write ends with a whole line the test waits for, so the next write reaches the reader as a new chunk.
    peer.write('first\nhel');
    assert.deepEqual((await drain(reader, 10, 1)).records, ['first']);
    peer.write(Buffer.concat([Buffer.from('lo\r\nx\n'), euro.subarray(0, 2)]));
    assert.deepEqual((await drain(reader, 10, 2)).records, ['hello', 'x']);
    peer.write(Buffer.concat([euro.subarray(2), Buffer.from(' rest\n\nta')]));
    assert.deepEqual((await drain(reader, 10, 2)).records, ['€ rest', '']);
    peer.end('il');
    const rest = await drain(reader, 10);
    assert.deepEqual(rest.records, ['tail']);
    assert.equal(reader.poll(10, () => assert.fail('ended')), SourceStatus.END);
    assert.equal(reader.bytesRead, Buffer.byteLength('first\nhello\r\nx\n€ rest\n\ntail'));
    assert.equal(reader.totalBytes, undefined);
    await reader.close();
    server.close();
    await once(server, 'close');
  });

  it('splits at a multi-byte, multi-character delimiter cut across writes', async () => {
    const { server, port, accepted } = await startServer();
    const reader = socketReader(port, '¦¦');
    assert.equal(reader.poll(10, () => {}), SourceStatus.WAITING);
    const peer = await accepted;
    const delimiter = Buffer.from('¦¦', 'utf8'); // c2 a6 c2 a6
    peer.write(Buffer.concat([Buffer.from('x'), delimiter, Buffer.from('a\r'), delimiter.subarray(0, 3)]));
    assert.deepEqual((await drain(reader, 10, 1)).records, ['x']);
    peer.write(Buffer.concat([delimiter.subarray(3), Buffer.from('b'), delimiter, Buffer.from('c\r')]));
    peer.end();
    // The '\r' is only dropped for the '\n' delimiter (Flink's rule), and the last partial record is flushed.
    assert.deepEqual((await drain(reader, 10)).records, ['a\r', 'b', 'c\r']);
    await reader.close();
    server.close();
  });

  it('ends without an extra record when the stream ends with the delimiter', async () => {
    const { server, port, accepted } = await startServer();
    const reader = socketReader(port);
    reader.poll(1, () => {});
    (await accepted).end('a\nb\n');
    assert.deepEqual((await drain(reader, 1)).records, ['a', 'b']);
    await reader.close();
    server.close();
  });

  it('pauses the socket above the high-water mark and loses nothing when resuming', async () => {
    const { server, port, accepted } = await startServer();
    const reader = socketReader(port, '\n', { socketHighWaterLines: 4 }) as SourceReader<unknown> & { isPaused: boolean };
    assert.equal(reader.poll(1, () => {}), SourceStatus.WAITING);
    const ready = reader.ready;
    const peer = await accepted;
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    peer.end(`${lines.join('\n')}\n`);
    await ready;
    assert.equal(reader.isPaused, true);
    const { records } = await drain(reader, 3);
    assert.deepEqual(records, lines);
    assert.equal(reader.isPaused, false);
    await reader.close();
    server.close();
  });

  it('fails with ERR_SOURCE_SOCKET naming host:port when the connection is refused', async () => {
    const { server, port } = await startServer();
    server.close();
    await once(server, 'close');
    const reader = socketReader(port);
    assert.equal(reader.poll(1, () => {}), SourceStatus.WAITING);
    await reader.ready;
    const check = (e: unknown) =>
      e instanceof SourceError && e.code === 'ERR_SOURCE_SOCKET' && e.message.includes(`127.0.0.1:${port}`) && e.message.includes('ECONNREFUSED');
    assert.throws(() => reader.poll(1, () => {}), check);
    assert.throws(() => reader.poll(1, () => {}), check);
    await reader.close();
    await reader.close();
  });

  it('close() releases the connection and settles a pending ready', async () => {
    const { server, port, accepted } = await startServer();
    const reader = socketReader(port);
    assert.equal(reader.poll(1, () => {}), SourceStatus.WAITING);
    const ready = reader.ready!;
    const peer = await accepted;
    const peerEnded = once(peer, 'end');
    await reader.close();
    await ready;
    await peerEnded;
    assert.equal(reader.poll(1, () => assert.fail('closed')), SourceStatus.END);
    peer.destroy();
    server.close();
  });

  it('is non-parallel', () => {
    assert.throws(() => createSourceReader({ kind: 'socket', host: '127.0.0.1', port: 1, delimiter: '\n' }, { subtaskIndex: 0, parallelism: 2 }), RangeError);
  });
});

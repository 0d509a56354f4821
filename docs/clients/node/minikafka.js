// Loads the MiniKafka service straight from the project's .proto: no generated code to keep.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO = path.join(__dirname, '..', '..', '..', 'protocol', 'src', 'main', 'proto', 'minikafka.proto');

function client(host) {
  const definition = protoLoader.loadSync(PROTO, {
    keepCase: true,
    longs: String, // message numbers are uint64: keep every digit
    defaults: true,
  });
  const { MiniKafka } = grpc.loadPackageDefinition(definition).protocol;
  return new MiniKafka(host, grpc.credentials.createInsecure());
}

// Splits a byte buffer into lines at '\n', dropping a '\r' before it, as mkfk-producer does.
function lines(buffer) {
  const result = [];
  let start = 0;
  for (let i = 0; i < buffer.length; i++) {
    if (buffer[i] === 0x0a) {
      const end = i > start && buffer[i - 1] === 0x0d ? i - 1 : i;
      result.push(buffer.subarray(start, end));
      start = i + 1;
    }
  }
  if (start < buffer.length) {
    result.push(buffer.subarray(start));
  }
  return result;
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

module.exports = { client, lines, readStdin };

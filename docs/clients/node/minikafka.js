// Loads the MiniKafka service straight from the project's .proto: no generated code to keep.
'use strict';
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO = path.join(__dirname, '..', '..', '..', 'protocol', 'src', 'main', 'proto', 'minikafka.proto');

// The options every script takes, as the Java CLIs do: flags first, else environment variables.
//   --tls                 TLS, trusting the system's CA certificates unless --ca-cert says otherwise
//   --ca-cert FILE        PEM CA certificates to trust (MINIKAFKA_CA_CERT); implies --tls
//   --cert FILE           PEM client certificate for mutual TLS (MINIKAFKA_CERT); implies --tls
//   --key FILE            its PEM private key (MINIKAFKA_KEY)
//   --token TOKEN         bearer token (MINIKAFKA_TOKEN)
//   --token-file FILE     bearer token from a file; a trailing newline is not part of it
function parseOptions(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tls: { type: 'boolean', default: false },
      'ca-cert': { type: 'string', default: process.env.MINIKAFKA_CA_CERT || undefined },
      cert: { type: 'string', default: process.env.MINIKAFKA_CERT || undefined },
      key: { type: 'string', default: process.env.MINIKAFKA_KEY || undefined },
      token: { type: 'string', default: process.env.MINIKAFKA_TOKEN || undefined },
      'token-file': { type: 'string' },
    },
  });
  if (Boolean(values.cert) !== Boolean(values.key)) {
    throw new Error(values.cert ? '--cert (MINIKAFKA_CERT) needs --key (MINIKAFKA_KEY)' : '--key (MINIKAFKA_KEY) needs --cert (MINIKAFKA_CERT)');
  }
  // A flag overrides its variable: only the two flags together are refused.
  if (values.token && values['token-file'] && values.token !== process.env.MINIKAFKA_TOKEN) {
    throw new Error('give --token or --token-file, not both');
  }
  let token = values.token;
  if (values['token-file']) {
    token = read(values['token-file'], '--token-file').toString('utf8').replace(/\r?\n$/, '');
  }
  return { positionals, tls: values.tls || Boolean(values['ca-cert'] || values.cert), caCert: values['ca-cert'], cert: values.cert, key: values.key, token };
}

function read(file, what) {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${what} ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

function client(host, options = {}) {
  const definition = protoLoader.loadSync(PROTO, {
    keepCase: true,
    longs: String, // message numbers are uint64: keep every digit
    defaults: true,
  });
  const { MiniKafka } = grpc.loadPackageDefinition(definition).protocol;
  let credentials = options.tls
    ? grpc.credentials.createSsl(
      options.caCert ? read(options.caCert, '--ca-cert') : null,
      options.key ? read(options.key, '--key') : null,
      options.cert ? read(options.cert, '--cert') : null)
    : grpc.credentials.createInsecure();
  if (options.token) {
    const header = `Bearer ${options.token}`;
    const interceptor = (callOptions, nextCall) =>
      new grpc.InterceptingCall(nextCall(callOptions), {
        start(metadata, listener, next) {
          metadata.set('authorization', header);
          next(metadata, listener);
        },
      });
    return new MiniKafka(host, credentials, { interceptors: [interceptor] });
  }
  return new MiniKafka(host, credentials);
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

module.exports = { client, parseOptions, lines, readStdin };

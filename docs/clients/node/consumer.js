// Usage: node consumer.js [OPTIONS] HOST:PORT TOPIC [FROM]   (OPTIONS: see minikafka.js)
// Reads every message stored from FROM (default 1) with Poll, writes each payload followed by
// '\n' to standard output, and exits when a poll returns nothing.
'use strict';
const { client, parseOptions } = require('./minikafka');

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const [host, topic, from = '1'] = options.positionals;
  if (!host || !topic) {
    console.error('usage: node consumer.js [--tls] [--ca-cert FILE] [--cert FILE --key FILE] [--token TOKEN | --token-file FILE] HOST:PORT TOPIC [FROM]');
    process.exit(2);
  }
  const kafka = client(host, options);
  let readFrom = from;
  for (;;) {
    const reply = await new Promise((resolve, reject) =>
      kafka.Poll({ topic, read_from: { msg_number: readFrom } }, { deadline: new Date(Date.now() + 10000) },
        (err, r) => (err ? reject(err) : resolve(r))));
    if (reply.payloads.length === 0) {
      break;
    }
    for (const p of reply.payloads) {
      process.stdout.write(p.payload);
      process.stdout.write('\n');
    }
    readFrom = reply.new_read_from.msg_number;
  }
  kafka.close();
}

main().catch((err) => {
  console.error(`consumer: ${err.message}`);
  process.exit(1);
});

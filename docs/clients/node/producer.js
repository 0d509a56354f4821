// Usage: node producer.js [OPTIONS] HOST:PORT TOPIC < lines   (OPTIONS: see minikafka.js)
// Sends each line of standard input as one message (bytes as they are), one Produce call each,
// and prints the number the server gave each message.
'use strict';
const { client, parseOptions, lines, readStdin } = require('./minikafka');

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const [host, topic] = options.positionals;
  if (!host || !topic) {
    console.error('usage: node producer.js [--tls] [--ca-cert FILE] [--cert FILE --key FILE] [--token TOKEN | --token-file FILE] HOST:PORT TOPIC < lines');
    process.exit(2);
  }
  const kafka = client(host, options);
  const deadline = () => new Date(Date.now() + 10000);
  for (const payload of lines(await readStdin())) {
    const number = await new Promise((resolve, reject) =>
      kafka.Produce({ topic: { topic }, payload: { payload } }, { deadline: deadline() }, (err, reply) =>
        err ? reject(err) : resolve(reply.msg_number)));
    console.log(number);
  }
  kafka.close();
}

main().catch((err) => {
  console.error(`producer: ${err.message}`);
  process.exit(1);
});

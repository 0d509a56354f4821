"""Usage: python3 producer.py [--token T | --token-file F] [--ca-cert F] HOST:PORT TOPIC

Sends each line of standard input as one message with the original's unary Produce call and
prints the number the server gave it.
"""
import sys

import grpc

import minikafka
import minikafka_pb2
import minikafka_pb2_grpc


def main():
    options, positionals = minikafka.parse_options(sys.argv[1:])
    if len(positionals) != 2:
        minikafka.fail(2, "usage: producer.py [OPTIONS] HOST:PORT TOPIC")
    host, topic = positionals
    with minikafka.channel(host, options) as connection:
        stub = minikafka_pb2_grpc.MiniKafkaStub(connection)
        for line in sys.stdin.buffer:
            payload = line[:-1] if line.endswith(b"\n") else line
            try:
                number = stub.Produce(
                    minikafka_pb2.ProduceRequest(
                        topic=minikafka_pb2.Topic(topic=topic),
                        payload=minikafka_pb2.Payload(payload=payload),
                    ),
                    timeout=10,
                    metadata=minikafka.metadata(options),
                )
            except grpc.RpcError as e:
                minikafka.fail(1, f"{e.code().name}: {e.details()}")
            print(number.msg_number, flush=True)


if __name__ == "__main__":
    main()

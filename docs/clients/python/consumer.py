"""Usage: python3 consumer.py [--token T | --token-file F] [--ca-cert F] [--follow] HOST:PORT TOPIC [FROM]

Subscribes from FROM (default 1) and writes each payload followed by '\n' to standard output,
checking each record's CRC32C when the server sends one (a file store does). Exits once it has
caught up, or, with --follow, goes on printing new messages until interrupted.
"""
import sys

import grpc

import minikafka
import minikafka_pb2


def main():
    options, positionals = minikafka.parse_options(sys.argv[1:])
    if len(positionals) not in (2, 3):
        minikafka.fail(2, "usage: consumer.py [OPTIONS] HOST:PORT TOPIC [FROM]")
    host, topic = positionals[0], positionals[1]
    read_from = int(positionals[2]) if len(positionals) == 3 else 1
    checked = 0
    # The number of the next message to print: what a damaged record is said to be.
    next_number = max(read_from, 1)
    out = sys.stdout.buffer
    with minikafka.channel(host, options) as connection:
        responses = minikafka.subscribe(
            connection, options, minikafka_pb2.SubscribeRequest(topic=topic, read_from=read_from))
        try:
            for response in responses:
                if response.skipped:
                    print(f"skipped {response.skipped} messages no longer stored; first"
                          f" available {response.first_available}", file=sys.stderr)
                    next_number = max(next_number, response.first_available)
                for record in response.records:
                    out.write(record.payload + b"\n")
                    next_number = record.msg_number + 1
                out.flush()
                checked += response.checked
                if response.damaged:
                    responses.cancel()
                    minikafka.fail(1, f"message {next_number} arrived damaged: its CRC32C"
                                      " does not match its bytes")
                if response.caught_up and not options["follow"]:
                    responses.cancel()
                    break
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                minikafka.fail(1, f"{e.code().name}: {e.details()}")
    print(f"checked {checked} CRC32Cs", file=sys.stderr)


if __name__ == "__main__":
    main()

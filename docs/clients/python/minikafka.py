"""What producer.py and consumer.py share: the channel, the token, and reading records as sent.

The stubs (minikafka_pb2, minikafka_pb2_grpc) are generated from the project's .proto; see
README.md here for the protoc command.
"""
import os
import sys

import grpc
from google.protobuf.message import DecodeError

import minikafka_pb2

# Responses may be as large as the server's max_response_bytes (DescribeServer): above gRPC's
# default 4 MiB for the largest messages.
_RECEIVE_LIMIT = 64 * 1024 * 1024


def parse_options(argv):
    """Splits --token, --token-file and --ca-cert (or their MINIKAFKA_ variables) from the rest."""
    options = {
        "token": os.environ.get("MINIKAFKA_TOKEN") or None,
        "ca_cert": os.environ.get("MINIKAFKA_CA_CERT") or None,
        "follow": False,
    }
    positionals = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--token", "--token-file", "--ca-cert"):
            if not args:
                fail(2, f"{arg} needs a value")
            value = args.pop(0)
            if arg == "--token":
                options["token"] = value
            elif arg == "--token-file":
                with open(value, encoding="utf-8") as f:
                    options["token"] = f.read().strip()
            else:
                options["ca_cert"] = value
        elif arg == "--follow":
            options["follow"] = True
        elif arg.startswith("--"):
            fail(2, f"unknown option {arg}")
        else:
            positionals.append(arg)
    return options, positionals


def channel(host, options):
    """A channel to HOST:PORT, over TLS when a CA certificate is given."""
    settings = [("grpc.max_receive_message_length", _RECEIVE_LIMIT)]
    if options["ca_cert"]:
        with open(options["ca_cert"], "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        return grpc.secure_channel(host, credentials, settings)
    return grpc.insecure_channel(host, settings)


def metadata(options):
    """The token, in the metadata every call carries."""
    return [("authorization", "Bearer " + options["token"])] if options["token"] else []


def fail(code, text):
    print(f"{os.path.basename(sys.argv[0])}: {text}", file=sys.stderr)
    sys.exit(code)


def _crc32c_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    """CRC32C (Castagnoli), as the server computes it."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


class Response:
    """One SubscribeResponse read from its bytes, each record checked against its CRC32C.

    The check is over the record's bytes as sent, before they are parsed: protobuf's encoding is
    not canonical, so a record parsed and serialised again need not give the same bytes. Records
    after a damaged one are not read; nothing here raises, since gRPC would then end the call
    without the records before it.
    """

    def __init__(self, data):
        self.records, self.first_available, self.skipped = [], 0, 0
        self.caught_up = self.topic_missing = False
        self.checked = 0
        # Whether a record (the one after self.records) failed its check or could not be read.
        self.damaged = False
        try:
            self._read(data)
        except (IndexError, ValueError, DecodeError):
            self.damaged = True

    def _read(self, data):
        at = 0
        while at < len(data) and not self.damaged:
            key, at = _varint(data, at)
            field, wire_type = key >> 3, key & 7
            if wire_type == 2:
                length, at = _varint(data, at)
                if at + length > len(data):
                    raise ValueError("a field runs past the end of the response")
                value, at = data[at : at + length], at + length
            elif wire_type == 0:
                value, at = _varint(data, at)
            elif wire_type == 5:
                value, at = data[at : at + 4], at + 4
            elif wire_type == 1:
                value, at = data[at : at + 8], at + 8
            else:
                raise ValueError(f"wire type {wire_type} in a SubscribeResponse")
            if field == 1:
                self._record(value)
            elif field == 2:
                self.first_available = value
            elif field == 3:
                self.skipped = value
            elif field == 4:
                self.caught_up = bool(value)
            elif field == 5:
                self.topic_missing = bool(value)

    def _record(self, raw):
        # A record that carries its CRC starts with it: tag 0x7D (field 15, fixed32), 4 bytes.
        if raw[:1] == b"\x7d":
            if len(raw) < 5 or crc32c(raw[5:]) != int.from_bytes(raw[1:5], "little"):
                self.damaged = True
                return
            self.checked += 1
        self.records.append(minikafka_pb2.MessageRecord.FromString(raw))


def subscribe(connection, options, request):
    """The Subscribe call, with each response's bytes given to Response rather than parsed."""
    call = connection.unary_stream(
        "/protocol.MiniKafka/Subscribe",
        request_serializer=minikafka_pb2.SubscribeRequest.SerializeToString,
        response_deserializer=Response,
    )
    return call(request, metadata=metadata(options))

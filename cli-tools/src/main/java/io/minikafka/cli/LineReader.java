package io.minikafka.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines without decoding it, so any bytes go through unchanged. A line
 * ends at {@code \n}, which is dropped together with a {@code \r} just before it (as Go's {@code
 * bufio.ScanLines}); a last line without {@code \n} still counts.
 */
final class LineReader {

  private final InputStream in;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

  /**
   * @param in read as it is; wrap it in a buffered stream for speed
   */
  LineReader(InputStream in) {
    this.in = in;
  }

  /** The next line's bytes, or null at the end of the stream. */
  byte[] readLine() throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return withoutTrailingCarriageReturn();
      }
      line.write(b);
    }
    return line.size() == 0 ? null : withoutTrailingCarriageReturn();
  }

  private byte[] withoutTrailingCarriageReturn() {
    byte[] bytes = line.toByteArray();
    if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
      return java.util.Arrays.copyOf(bytes, bytes.length - 1);
    }
    return bytes;
  }
}

package io.minikafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  private static List<byte[]> lines(byte[] input) throws IOException {
    LineReader reader = new LineReader(new ByteArrayInputStream(input));
    List<byte[]> lines = new ArrayList<>();
    byte[] line;
    while ((line = reader.readLine()) != null) {
      lines.add(line);
    }
    return lines;
  }

  @Test
  void splitsOnNewlineKeepingEveryOtherByte() throws IOException {
    byte[] input = {'a', '\n', (byte) 0xff, 0, (byte) 0xc3, '\n', '\n', 'z'};

    List<byte[]> lines = lines(input);

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).containsExactly('a');
    assertThat(lines.get(1)).containsExactly(0xff, 0, 0xc3);
    assertThat(lines.get(2)).isEmpty();
    assertThat(lines.get(3)).containsExactly('z');
  }

  @Test
  void dropsACarriageReturnOnlyBeforeTheNewline() throws IOException {
    List<byte[]> lines = lines(new byte[] {'a', '\r', '\n', '\r', 'b', '\n'});

    assertThat(lines.get(0)).containsExactly('a');
    assertThat(lines.get(1)).containsExactly('\r', 'b');
  }

  @Test
  void emptyInputHasNoLines() throws IOException {
    assertThat(lines(new byte[0])).isEmpty();
    assertThat(lines(new byte[] {'\n'})).hasSize(1);
  }
}

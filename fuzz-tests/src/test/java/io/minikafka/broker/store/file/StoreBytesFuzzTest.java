package io.minikafka.broker.store.file;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.minikafka.broker.store.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Fuzzed bytes where the file store expects its own: a segment's log and index replaced by what the
 * fuzzer makes, then start-up recovery, polls, appends, retention and mkfk-fsck read them
 * (CorruptionFuzzTest.StoreDamage). Any exception but the documented ones, or an out-of-memory from
 * a forged length, is a finding.
 */
class StoreBytesFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void fuzzedSegmentAndIndexFailOnlyAsDocumented(FuzzedDataProvider data) throws IOException {
    Path root = Files.createTempDirectory("minikafka-fuzz");
    try {
      FileStoreConfig config =
          FileStoreConfig.defaults().withFsync(new FsyncPolicy.Never()).withSegmentBytes(4096);
      ManualClock clock = new ManualClock();
      try (FileStore store = FileStore.open(root, config, clock)) {
        int messages = data.consumeInt(1, 60);
        for (int i = 0; i < messages; i++) {
          store.store("t", data.consumeBytes(data.consumeInt(0, 200)));
        }
      }
      List<Path> files = storeFiles(root);
      byte[] index = data.consumeBytes(data.consumeInt(0, 512));
      // Behind the new layout's header half the time, so the fuzzer need not find it to reach the
      // new layout's framing; without it the bytes are read as the first layout.
      boolean wire = data.consumeBoolean();
      byte[] fuzzed = data.consumeRemainingAsBytes();
      byte[] log = fuzzed;
      if (wire) {
        ByteBuffer header = SegmentFormat.newHeader();
        log =
            ByteBuffer.allocate(header.remaining() + fuzzed.length).put(header).put(fuzzed).array();
      }
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(SegmentIndex.SUFFIX)) {
          Files.write(file, index);
        } else if (name.endsWith(Segment.LOG_SUFFIX)) {
          Files.write(file, log);
          break;
        }
      }
      CorruptionFuzzTest.StoreDamage.readBack(root, config, clock);
    } finally {
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @FuzzTest(maxDuration = "60s")
  void randomDamageToAWholeStoreFailsOnlyAsDocumented(FuzzedDataProvider data) throws IOException {
    Path root = Files.createTempDirectory("minikafka-fuzz");
    try {
      CorruptionFuzzTest.StoreDamage.exercise(root, new Random(data.consumeLong()));
    } finally {
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static List<Path> storeFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }
}

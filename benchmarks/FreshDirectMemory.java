import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What new direct memory costs this host against writing memory already touched: 200 chunks of 4
 * MiB made with ByteBuffer.allocateDirect (which zeroes them) and kept, then 4 MiB written 100 times
 * into one of them. Run with: java -XX:MaxDirectMemorySize=2g benchmarks/FreshDirectMemory.java
 */
public class FreshDirectMemory {
  public static void main(String[] args) {
    int chunk = 4 << 20;
    List<ByteBuffer> kept = new ArrayList<>();
    long[] nanos = new long[200];
    for (int i = 0; i < nanos.length; i++) {
      long start = System.nanoTime();
      kept.add(ByteBuffer.allocateDirect(chunk));
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "new 4 MiB direct buffer: median %.2f ms, p90 %.2f, max %.2f%n",
        nanos[100] / 1e6, nanos[180] / 1e6, nanos[199] / 1e6);
    ByteBuffer touched = kept.get(0);
    byte[] page = new byte[4096];
    long start = System.nanoTime();
    for (int round = 0; round < 100; round++) {
      touched.clear();
      while (touched.remaining() >= page.length) {
        touched.put(page);
      }
    }
    System.out.printf(
        "4 MiB written into a touched buffer: %.2f ms%n", (System.nanoTime() - start) / 1e6 / 100);
  }
}

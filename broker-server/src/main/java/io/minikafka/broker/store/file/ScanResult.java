package io.minikafka.broker.store.file;

/**
 * What a scan of a segment's records found.
 *
 * @param validEnd the byte just past the last record scanned
 * @param positions the start of each valid record scanned, in order
 * @param count how many entries of {@code positions} are used
 * @param firstTime append time of the first record scanned, or -1 if none
 * @param lastTime append time of the last record scanned, or -1 if none
 * @param stopped why the scan stopped before the end of the file, or null if it did not
 * @param damage the first record a tolerant scan found damaged but went past, or null
 */
record ScanResult(
    long validEnd,
    int[] positions,
    int count,
    long firstTime,
    long lastTime,
    String stopped,
    String damage) {}

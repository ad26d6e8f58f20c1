package dev.nimbleapm.agent.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Cuts a byte stream into NDJSON lines as the bytes arrive, handing on every complete line at once.
 *
 * <p>Exists because an agent keeps one intake request open for many seconds: lines must be handled when their
 * newline arrives, not when the request ends. Splitting on the byte {@code '\n'} is safe for UTF-8. A trailing
 * {@code '\r'} is dropped, blank lines are skipped, and a last line without newline is handed on by {@link #finish()}.
 * Lines longer than the limit are not buffered whole: the listener gets their first bytes and the full length.
 */
final class NdjsonLineSplitter {

    /** Receives lines. */
    interface Listener {
        /** A complete line of at most the limit's length. */
        void line(String line);

        /** A line longer than the limit: its beginning, decoded, and its full length in bytes. */
        void oversizedLine(String beginning, long length);
    }

    private final int maxLineBytes;
    private final Listener listener;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream(1024);
    private long currentLength;

    NdjsonLineSplitter(int maxLineBytes, Listener listener) {
        this.maxLineBytes = maxLineBytes;
        this.listener = listener;
    }

    void feed(byte[] bytes, int off, int len) {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        append(bytes, start, end - start);
    }

    /** Hands on the last line when the body did not end with a newline. */
    void finish() {
        emit();
    }

    private void append(byte[] bytes, int off, int len) {
        int room = (int) Math.max(0, Math.min(len, maxLineBytes + 1L - current.size()));
        current.write(bytes, off, room);
        currentLength += len;
    }

    private void emit() {
        byte[] line = current.toByteArray();
        long length = currentLength;
        current.reset();
        currentLength = 0;
        if (length > 0 && length <= line.length && line[line.length - 1] == '\r') {
            length--;
        }
        if (length > maxLineBytes) {
            listener.oversizedLine(new String(line, 0, Math.min(line.length, 2000), StandardCharsets.UTF_8), length);
            return;
        }
        String text = new String(line, 0, (int) length, StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            listener.line(text);
        }
    }
}

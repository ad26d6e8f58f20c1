package dev.nimbleapm.agent.benchmarks;

import java.io.OutputStream;

/** Counts and forgets what is written: the network as seen by the compressor, minus the network. */
final class DiscardingOutputStream extends OutputStream {

    private long count;

    @Override
    public void write(int b) {
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        count += len;
    }

    long count() {
        return count;
    }

    void resetCount() {
        count = 0;
    }
}

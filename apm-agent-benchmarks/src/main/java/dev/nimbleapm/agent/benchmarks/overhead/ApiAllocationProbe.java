package dev.nimbleapm.agent.benchmarks.overhead;

import java.lang.management.ManagementFactory;
import java.util.Locale;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * The allocation of the workload's own use of the public API, without any request: what the agent's transaction
 * costs the calling thread when no Elasticsearch span is involved. Starts, names, activates, deactivates and ends
 * transactions like {@link SearchWorkload} does, and prints the bytes the thread allocated per transaction (the
 * lowest of a few rounds, after a warm-up long enough for C2). Without the agent the API is a no-op.
 */
public final class ApiAllocationProbe {

    private static final int PER_ROUND = 100_000;

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long threadId = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 3 * PER_ROUND; i++) {
            sink += transaction();
        }
        double lowest = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < PER_ROUND; i++) {
                sink += transaction();
            }
            long after = threads.getThreadAllocatedBytes(threadId);
            lowest = Math.min(lowest, (after - before) / (double) PER_ROUND);
        }
        System.out.println(String.format(Locale.ROOT, "API_BYTES_PER_TRANSACTION %.1f", lowest));
        System.out.println("SINK " + (sink & 1));
    }

    /** Exactly {@link SearchWorkload}'s use of the API, with the request left out. */
    private static int transaction() {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("GET /books/search");
        try (Scope scope = tx.activate()) {
            return System.identityHashCode(tx);
        } finally {
            tx.end();
        }
    }
}

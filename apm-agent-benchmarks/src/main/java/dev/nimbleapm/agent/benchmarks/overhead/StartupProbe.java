package dev.nimbleapm.agent.benchmarks.overhead;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Transaction;

/**
 * A trivial {@code main} for start-up and exit time: prints the wall clock when it begins, records one
 * transaction (so an agent has something to deliver at exit), and prints the wall clock when it returns.
 */
public final class StartupProbe {

    public static void main(String[] args) {
        System.out.println("MAIN_STARTS_AT_MS " + System.currentTimeMillis());
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("probe");
        tx.end();
        System.out.println("MAIN_RETURNS_AT_MS " + System.currentTimeMillis());
    }
}

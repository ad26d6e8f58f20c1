package dev.nimbleapm.it.apps;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * A minimal application for configuration tests: one transaction named "order" that reserves an item through
 * {@link Inventory} (instrumented only by the sample external plugin), then prints what it saw.
 */
public final class ConfiguredApp {

    public static void main(String[] args) {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("order");
        boolean reserved;
        try (Scope scope = tx.activate()) {
            reserved = new Inventory().reserve("book-42");
        } finally {
            tx.end();
        }
        System.out.println("reserved=" + reserved + " traceId=" + tx.getTraceId());
    }
}

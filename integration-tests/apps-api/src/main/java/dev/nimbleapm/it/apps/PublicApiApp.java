package dev.nimbleapm.it.apps;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.HeaderExtractor;
import co.elastic.apm.api.Outcome;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Span;
import co.elastic.apm.api.Transaction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Uses the public API the way applications do: a transaction with nested spans, labels, a failing span with a
 * captured exception, an error outside any span, a transaction continuing a remote (unsampled) trace, and header
 * propagation. Prints the ids it saw so the test can compare them with what the APM server received.
 */
public final class PublicApiApp {

    public static void main(String[] args) throws Exception {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("checkout");
        tx.setType("request");
        tx.setLabel("customer", "acme");
        tx.setLabel("items", 3);
        tx.setLabel("vip", true);
        tx.setResult("HTTP 2xx");
        tx.setUser("42", "jane@example.com", "jane");
        final Map<String, String> outgoing = new LinkedHashMap<String, String>();
        try (Scope scope = tx.activate()) {
            check(ElasticApm.currentTransaction().getId().equals(tx.getId()), "currentTransaction");
            Span parent = ElasticApm.currentSpan().startSpan("app", "internal", "compute");
            parent.setName("load cart");
            try (Scope parentScope = parent.activate()) {
                check(ElasticApm.currentSpan().getId().equals(parent.getId()), "currentSpan");
                Span child = ElasticApm.currentSpan().startSpan("db", "postgresql", "query");
                child.setName("SELECT cart");
                child.setLabel("rows", 7);
                spin(2);
                child.end();
                Span failing = parent.startSpan("app", "internal", "validate");
                failing.setName("validate cart");
                failing.captureException(new IllegalStateException("cart is empty"));
                failing.setOutcome(Outcome.FAILURE);
                failing.end();
                parent.injectTraceHeaders(outgoing::put);
            } finally {
                parent.end();
            }
            ElasticApm.captureException(new IllegalArgumentException("top-level problem"));
        } finally {
            tx.end();
        }
        // a wrapper kept after end() must never act on what its transaction became: these calls are ignored
        tx.setName("renamed after end");
        tx.setLabel("late", 1);
        Transaction next = ElasticApm.startTransaction();
        next.setName("next");
        tx.setLabel("late", 2);
        next.end();
        System.out.println("sampled-trace " + tx.getTraceId() + " " + tx.getId());
        System.out.println("outgoing-traceparent " + outgoing.get("traceparent"));

        HeaderExtractor unsampledHeaders = new HeaderExtractor() {
            @Override
            public String getFirstHeader(String name) {
                return name.equals("traceparent") ? "00-11111111111111111111111111111111-2222222222222222-00" : null;
            }
        };
        Transaction unsampled = ElasticApm.startTransactionWithRemoteParent(unsampledHeaders);
        unsampled.setName("unsampled job");
        Span notRecorded = unsampled.startSpan("app", "internal", null);
        notRecorded.end();
        unsampled.end();
        System.out.println("unsampled-sampled " + unsampled.isSampled());

        HeaderExtractor sampledHeaders = new HeaderExtractor() {
            @Override
            public String getFirstHeader(String name) {
                if (name.equals("traceparent")) {
                    return "00-33333333333333333333333333333333-4444444444444444-01";
                }
                return name.equals("tracestate") ? "es=s:0.25" : null;
            }
        };
        Transaction remote = ElasticApm.startTransactionWithRemoteParent(sampledHeaders);
        remote.setName("continued");
        remote.end();
        System.out.println("done");
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what + " did not return the active object");
        }
    }

    private static void spin(long millis) {
        long end = System.nanoTime() + millis * 1000000L;
        while (System.nanoTime() < end) {
            Thread.yield();
        }
    }
}

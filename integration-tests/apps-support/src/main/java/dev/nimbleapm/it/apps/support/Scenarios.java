package dev.nimbleapm.it.apps.support;

import java.util.LinkedHashMap;
import java.util.Map;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * Runs named scenarios, each inside its own transaction named {@code scenario:<name>}, and prints one result line
 * per scenario ({@code RESULT <name> <what the application saw>}) for the test to compare.
 */
public abstract class Scenarios {

    /** One thing the application does; returns what the application saw. */
    public interface Scenario {
        String run() throws Exception;
    }

    private final Map<String, Scenario> scenarios = new LinkedHashMap<String, Scenario>();

    protected void add(String name, Scenario scenario) {
        scenarios.put(name, scenario);
    }

    protected void runAll(String[] names) {
        for (String name : names) {
            Scenario scenario = scenarios.get(name);
            if (scenario == null) {
                System.out.println("RESULT " + name + " UNKNOWN-SCENARIO");
                continue;
            }
            String result;
            if (name.startsWith("outside-")) {
                result = safely(scenario);
            } else {
                Transaction tx = name.startsWith("unsampled-")
                    ? ElasticApm.startTransactionWithRemoteParent(key -> key.equals("traceparent")
                        ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00" : null)
                    : ElasticApm.startTransaction();
                tx.setName("scenario:" + name);
                try (Scope scope = tx.activate()) {
                    result = safely(scenario);
                } finally {
                    tx.end();
                }
            }
            System.out.println("RESULT " + name + " " + result);
        }
        System.out.println("DONE");
    }

    private static String safely(Scenario scenario) {
        try {
            return scenario.run();
        } catch (Throwable t) {
            return "EXCEPTION " + describe(t);
        }
    }

    /**
     * Called in an asynchronous listener: checks that the caller's transaction is current again and starts a span
     * there, which must nest under it.
     */
    public static String listenerWork(String expectedTransactionId) {
        boolean same = ElasticApm.currentTransaction().getId().equals(expectedTransactionId);
        co.elastic.apm.api.Span span = ElasticApm.currentSpan().startSpan("app", "listener", null);
        span.setName("listener work");
        span.end();
        return same ? "listener-in-context" : "listener-out-of-context";
    }

    public static String describe(Throwable t) {
        String name = t.getClass().getSimpleName();
        if (t.getClass().getName().equals("org.elasticsearch.client.ResponseException")) {
            try {
                Object response = t.getClass().getMethod("getResponse").invoke(t);
                Object statusLine = response.getClass().getMethod("getStatusLine").invoke(response);
                return name + " " + statusLine.getClass().getMethod("getStatusCode").invoke(statusLine);
            } catch (Exception e) {
                return name;
            }
        }
        if (t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null) {
            return describe(t.getCause());
        }
        if (t instanceof RuntimeException || t instanceof Error) {
            return name + (t.getMessage() != null ? ": " + t.getMessage() : "")
                + (t.getCause() != null ? " caused by " + describe(t.getCause()) : "");
        }
        return name;
    }
}

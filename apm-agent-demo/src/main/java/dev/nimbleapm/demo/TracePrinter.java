package dev.nimbleapm.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.MockApmServer;
import dev.nimbleapm.agent.testkit.TraceTree;

/**
 * Prints the traces the intake receiver got, one by one, as soon as each is complete enough to look at: its
 * transaction has arrived and nothing more of it has arrived for a quiet period. A trace that grows after it was
 * printed is printed again, marked as updated; at the end, {@link #printRest()} prints what never got a transaction.
 */
final class TracePrinter {

    /** What is known about one trace id. */
    private static final class TraceState {
        int events;
        boolean hasTransaction;
        long lastChangeNanos;
        int printedEvents = -1;
        int number;
    }

    /** How TraceTree starts each of its lines; anything else continues a multi-line text of the line before. */
    private static final Pattern EVENT_LINE = Pattern.compile("^ *(transaction|span|error)  |^ *statement: ");
    private static final int MAX_LINE = 200;

    private final MockApmServer server;
    private final Console console;
    private final long quietNanos;
    private final Map<String, TraceState> traces = new LinkedHashMap<>();
    private int printedTraces;
    private int lastTotalEvents = -1;
    private long lastArrivalNanos = System.nanoTime();

    TracePrinter(MockApmServer server, Console console, Duration quiet) {
        this.server = server;
        this.console = console;
        this.quietNanos = quiet.toNanos();
    }

    /** Looks at what arrived and prints the traces that are ready. */
    synchronized void printReady() {
        print(false);
    }

    /** Prints every trace not printed in its current state, ready or not. */
    synchronized void printRest() {
        print(true);
    }

    /**
     * Whether nothing has arrived for the quiet period and every trace with a transaction has been printed as it is
     * now (what has no transaction by then is left to {@link #printRest()}).
     */
    synchronized boolean settled() {
        return System.nanoTime() - lastArrivalNanos >= quietNanos
            && traces.values().stream().allMatch(t -> !t.hasTransaction || t.printedEvents == t.events);
    }

    synchronized int printedTraces() {
        return printedTraces;
    }

    private void print(boolean force) {
        long now = System.nanoTime();
        List<JsonNode> transactions = server.transactions();
        List<JsonNode> spans = server.spans();
        List<JsonNode> errors = server.errors();
        int total = transactions.size() + spans.size() + errors.size();
        if (total != lastTotalEvents) {
            lastTotalEvents = total;
            lastArrivalNanos = now;
        }
        Map<String, Integer> counts = new HashMap<>();
        Map<String, JsonNode> rootTransactions = new HashMap<>();
        for (JsonNode tx : transactions) {
            String traceId = tx.path("trace_id").asText("");
            counts.merge(traceId, 1, Integer::sum);
            if (!tx.hasNonNull("parent_id") || !rootTransactions.containsKey(traceId)) {
                rootTransactions.put(traceId, tx);
            }
        }
        for (JsonNode event : spans) {
            counts.merge(event.path("trace_id").asText(""), 1, Integer::sum);
        }
        for (JsonNode event : errors) {
            counts.merge(event.path("trace_id").asText(""), 1, Integer::sum);
        }
        TraceTree tree = TraceTree.of(transactions, spans, errors);
        for (String traceId : tree.traceIds()) {
            TraceState state = traces.computeIfAbsent(traceId, id -> new TraceState());
            int events = counts.getOrDefault(traceId, 0);
            if (events != state.events) {
                state.events = events;
                state.lastChangeNanos = now;
            }
            state.hasTransaction = rootTransactions.containsKey(traceId);
            if (state.printedEvents == state.events) {
                continue;
            }
            boolean ready = state.hasTransaction && now - state.lastChangeNanos >= quietNanos;
            if (ready || force) {
                printTrace(traceId, state, rootTransactions.get(traceId), tree.trace(traceId), spans, errors);
            }
        }
    }

    private void printTrace(String traceId, TraceState state, JsonNode transaction, TraceTree tree,
                            List<JsonNode> spans, List<JsonNode> errors) {
        boolean update = state.printedEvents >= 0;
        if (!update) {
            state.number = ++printedTraces;
        }
        state.printedEvents = state.events;
        int spanCount = countIn(spans, traceId);
        int errorCount = countIn(errors, traceId);
        String name = transaction != null ? transaction.path("name").asText("?") : "(no transaction received)";
        List<String> parts = new ArrayList<>();
        parts.add(spanCount + (spanCount == 1 ? " span" : " spans"));
        if (errorCount > 0) {
            parts.add(errorCount + (errorCount == 1 ? " error" : " errors"));
        }
        console.blank();
        console.line("== trace " + state.number + (update ? " (updated: more events arrived)" : "") + ": " + name
            + "   [" + String.join(", ", parts) + "]   trace.id " + (traceId.isEmpty() ? "(none)" : traceId));
        console.block(tidy(tree.render()), "   ");
    }

    /**
     * The rendered tree with each event on one line: an error message that goes on over several lines (the REST
     * client puts the whole response body into its exception messages) keeps its first line only, and over-long lines
     * are cut.
     */
    static String tidy(String rendered) {
        StringBuilder sb = new StringBuilder();
        boolean cut = false;
        for (String line : rendered.split("\n")) {
            if (EVENT_LINE.matcher(line).find()) {
                if (cut) {
                    sb.append(" ...");
                }
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "...");
                cut = false;
            } else {
                cut = true;
            }
        }
        if (cut) {
            sb.append(" ...");
        }
        return sb.append('\n').toString();
    }

    private static int countIn(List<JsonNode> events, String traceId) {
        int n = 0;
        for (JsonNode event : events) {
            if (event.path("trace_id").asText("").equals(traceId)) {
                n++;
            }
        }
        return n;
    }
}

package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The transactions, spans and errors an agent sent, arranged as parent/child trees and rendered as indented text.
 *
 * <p>Exists because a flat list of events says little about whether an agent linked them correctly: the tree shows at
 * a glance which span hangs under which transaction, in test failure messages and in the demo. Parents are resolved
 * through {@code parent_id} (falling back to {@code transaction_id} for spans and errors); an event whose parent was
 * not received becomes a root, and a span or error among them is marked as an orphan. Siblings are ordered by
 * {@code timestamp}. One line per event:
 * <pre>
 * transaction  GET /search  [request] 12.3 ms  success
 *   span  Elasticsearch: POST /idx/_search  db/elasticsearch/request  3.1 ms  success  status=200
 *     statement: {"query": {"match_all": {}}}
 *     error  java.net.ConnectException: Connection refused
 * </pre>
 */
public final class TraceTree {

    /** Longest {@code context.db.statement} shown, in characters. */
    public static final int MAX_STATEMENT_CHARS = 120;

    /**
     * One event and the events below it.
     *
     * @param kind     {@code transaction}, {@code span} or {@code error}
     * @param event    the event's object (the inside of its intake line)
     * @param orphan   whether the event names a parent that was not received
     * @param children the events whose parent this is, by timestamp
     */
    public record Node(String kind, JsonNode event, boolean orphan, List<Node> children) {
    }

    private final List<Node> roots;

    private TraceTree(List<Node> roots) {
        this.roots = List.copyOf(roots);
    }

    /** The tree of everything {@code server} has accepted so far. */
    public static TraceTree of(MockApmServer server) {
        return of(server.transactions(), server.spans(), server.errors());
    }

    /** Builds the tree of the given events (inner objects, as {@link MockApmServer} returns them). */
    public static TraceTree of(List<JsonNode> transactions, List<JsonNode> spans, List<JsonNode> errors) {
        List<Builder> all = new ArrayList<>();
        Map<String, Builder> byId = new HashMap<>();
        for (JsonNode tx : transactions) {
            all.add(new Builder("transaction", tx));
        }
        for (JsonNode span : spans) {
            all.add(new Builder("span", span));
        }
        for (JsonNode error : errors) {
            all.add(new Builder("error", error));
        }
        for (Builder b : all) {
            if (!"error".equals(b.kind)) {
                byId.putIfAbsent(text(b.event, "id"), b);
            }
        }
        List<Builder> rootBuilders = new ArrayList<>();
        for (Builder b : all) {
            String parentId = text(b.event, "parent_id");
            if (parentId == null && !"transaction".equals(b.kind)) {
                parentId = text(b.event, "transaction_id");
            }
            Builder parent = parentId == null ? null : byId.get(parentId);
            if (parent == null || parent == b) {
                b.orphan = parentId != null && !"transaction".equals(b.kind);
                rootBuilders.add(b);
            } else {
                parent.children.add(b);
            }
        }
        Set<Builder> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> roots = new ArrayList<>();
        for (Builder b : sorted(rootBuilders)) {
            roots.add(b.build(visited));
        }
        // events on a parent cycle are reachable from no root: show them rather than lose them
        for (Builder b : all) {
            if (!visited.contains(b)) {
                b.orphan = true;
                roots.add(b.build(visited));
            }
        }
        return new TraceTree(groupByTrace(roots));
    }

    public List<Node> roots() {
        return roots;
    }

    /** The trace ids of the roots, in the order they are rendered. */
    public List<String> traceIds() {
        List<String> ids = new ArrayList<>();
        for (Node root : roots) {
            String id = traceId(root);
            if (!ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The part of this tree that belongs to one trace. */
    public TraceTree trace(String traceId) {
        List<Node> selected = new ArrayList<>();
        for (Node root : roots) {
            if (traceId(root).equals(traceId)) {
                selected.add(root);
            }
        }
        return new TraceTree(selected);
    }

    /** The whole tree, one line per event (plus one per database statement), each ending with a newline. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Node root : roots) {
            render(root, 0, sb);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    /** The single line describing one event, without indentation. */
    public static String describe(String kind, JsonNode event) {
        List<String> parts = new ArrayList<>();
        parts.add(kind);
        if ("error".equals(kind)) {
            parts.add(describeError(event));
            return String.join("  ", parts);
        }
        add(parts, text(event, "name"));
        if ("transaction".equals(kind)) {
            String type = text(event, "type");
            String duration = duration(event);
            String typeAndDuration = (type == null ? "" : "[" + type + "]")
                    + (type != null && duration != null ? " " : "") + (duration == null ? "" : duration);
            add(parts, typeAndDuration.isEmpty() ? null : typeAndDuration);
        } else {
            List<String> type = new ArrayList<>();
            add(type, text(event, "type"));
            add(type, text(event, "subtype"));
            add(type, text(event, "action"));
            add(parts, type.isEmpty() ? null : String.join("/", type));
            add(parts, duration(event));
        }
        add(parts, text(event, "outcome"));
        JsonNode status = event.path("context").path("http").path("status_code");
        if (status.isNumber()) {
            parts.add("status=" + status.asInt());
        }
        return String.join("  ", parts);
    }

    /** A database statement on one line: whitespace runs with newlines collapsed, cut at 120 characters. */
    static String oneLineStatement(String statement) {
        String collapsed = statement.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
        return collapsed.length() <= MAX_STATEMENT_CHARS
                ? collapsed
                : collapsed.substring(0, MAX_STATEMENT_CHARS) + "...";
    }

    private static void render(Node node, int depth, StringBuilder sb) {
        String indent = "  ".repeat(depth);
        sb.append(indent).append(describe(node.kind(), node.event()));
        if (node.orphan()) {
            String parent = text(node.event(), "parent_id");
            sb.append("  (orphan: parent ").append(parent != null ? parent : text(node.event(), "transaction_id"))
                    .append(" not received)");
        }
        sb.append('\n');
        JsonNode statement = node.event().path("context").path("db").path("statement");
        if (statement.isTextual()) {
            sb.append(indent).append("    statement: ").append(oneLineStatement(statement.asText())).append('\n');
        }
        for (Node child : node.children()) {
            render(child, depth + 1, sb);
        }
    }

    private static String describeError(JsonNode error) {
        JsonNode exception = error.path("exception");
        if (exception.isObject()) {
            String type = text(exception, "type");
            String message = text(exception, "message");
            if (type != null && message != null) {
                return type + ": " + message;
            }
            return type != null ? type : message;
        }
        String message = text(error.path("log"), "message");
        return "log: " + (message == null ? "" : message);
    }

    private static String duration(JsonNode event) {
        JsonNode duration = event.path("duration");
        return duration.isNumber() ? String.format(Locale.ROOT, "%.1f ms", duration.asDouble()) : null;
    }

    private static void add(List<String> parts, String part) {
        if (part != null && !part.isEmpty()) {
            parts.add(part);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static String traceId(Node node) {
        String id = text(node.event(), "trace_id");
        return id == null ? "" : id;
    }

    private static long timestamp(JsonNode event) {
        JsonNode ts = event.path("timestamp");
        return ts.isNumber() ? ts.asLong() : Long.MAX_VALUE;
    }

    private static List<Builder> sorted(List<Builder> builders) {
        List<Builder> copy = new ArrayList<>(builders);
        copy.sort(Comparator.comparingLong(b -> timestamp(b.event)));
        return copy;
    }

    /** Keeps the roots of one trace together, traces in order of their earliest root. */
    private static List<Node> groupByTrace(List<Node> roots) {
        Map<String, List<Node>> byTrace = new LinkedHashMap<>();
        for (Node root : roots) {
            byTrace.computeIfAbsent(traceId(root), id -> new ArrayList<>()).add(root);
        }
        List<Node> grouped = new ArrayList<>(roots.size());
        byTrace.values().forEach(grouped::addAll);
        return grouped;
    }

    /** A node while the tree is being assembled. */
    private static final class Builder {
        final String kind;
        final JsonNode event;
        final List<Builder> children = new ArrayList<>();
        boolean orphan;

        Builder(String kind, JsonNode event) {
            this.kind = kind;
            this.event = event;
        }

        Node build(Set<Builder> visited) {
            visited.add(this);
            List<Node> built = new ArrayList<>();
            for (Builder child : sorted(children)) {
                if (!visited.contains(child)) {
                    built.add(child.build(visited));
                }
            }
            return new Node(kind, event, orphan, List.copyOf(built));
        }
    }
}

package dev.nimbleapm.agent.testkit;

/** Hand-written intake v2 lines for the tests: valid ones, and helpers to build NDJSON bodies. */
final class IntakeSamples {

    static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    static final String TX_ID = "b7ad6b7169203331";
    static final String SPAN_ID = "00f067aa0ba902b7";
    static final String ERROR_ID = "9f1f3e8c6f0b4a8d9f1f3e8c6f0b4a8d";

    static final String METADATA = "{\"metadata\":{\"service\":{\"name\":\"search-app\","
            + "\"agent\":{\"name\":\"java\",\"version\":\"0.1.0\"},"
            + "\"language\":{\"name\":\"Java\"},\"runtime\":{\"name\":\"Java\",\"version\":\"17\"}},"
            + "\"process\":{\"pid\":42}}}";

    static final String TRANSACTION = "{\"transaction\":{\"id\":\"" + TX_ID + "\",\"trace_id\":\"" + TRACE_ID + "\","
            + "\"name\":\"GET /search\",\"type\":\"request\",\"duration\":12.34,\"timestamp\":1700000000000000,"
            + "\"outcome\":\"success\",\"result\":\"HTTP 2xx\",\"sampled\":true,"
            + "\"span_count\":{\"started\":1,\"dropped\":0}}}";

    static final String SPAN = "{\"span\":{\"id\":\"" + SPAN_ID + "\",\"trace_id\":\"" + TRACE_ID + "\","
            + "\"transaction_id\":\"" + TX_ID + "\",\"parent_id\":\"" + TX_ID + "\","
            + "\"name\":\"Elasticsearch: POST /idx/_search\",\"type\":\"db\",\"subtype\":\"elasticsearch\","
            + "\"action\":\"request\",\"duration\":3.14,\"timestamp\":1700000000001000,\"outcome\":\"success\","
            + "\"context\":{\"db\":{\"type\":\"elasticsearch\",\"statement\":\"{\\\"query\\\":\\n {\\\"match_all\\\":{}}}\"},"
            + "\"http\":{\"method\":\"POST\",\"status_code\":200,\"url\":\"http://127.0.0.1:9200/idx/_search\"},"
            + "\"destination\":{\"address\":\"127.0.0.1\",\"port\":9200,"
            + "\"service\":{\"resource\":\"elasticsearch\",\"name\":\"\",\"type\":\"\"}},"
            + "\"service\":{\"target\":{\"type\":\"elasticsearch\"}}}}}";

    static final String ERROR = "{\"error\":{\"id\":\"" + ERROR_ID + "\",\"trace_id\":\"" + TRACE_ID + "\","
            + "\"transaction_id\":\"" + TX_ID + "\",\"parent_id\":\"" + SPAN_ID + "\",\"timestamp\":1700000000002000,"
            + "\"exception\":{\"type\":\"java.net.ConnectException\",\"message\":\"Connection refused\"}}}";

    static final String METRICSET = "{\"metricset\":{\"timestamp\":1700000000000000,"
            + "\"samples\":{\"jvm.memory.heap.used\":{\"value\":1048576}}}}";

    private IntakeSamples() {
    }

    /** Joins lines into an NDJSON body, each line terminated by a newline. */
    static String ndjson(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}

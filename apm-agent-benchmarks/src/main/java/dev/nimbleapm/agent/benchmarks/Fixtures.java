package dev.nimbleapm.agent.benchmarks;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.http.HttpHost;
import org.apache.http.HttpResponse;
import org.apache.http.HttpVersion;
import org.apache.http.RequestLine;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHttpResponse;
import org.apache.http.message.BasicRequestLine;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Response;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.config.MapConfigSource;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsOptions;

/** What the benchmarks share: configuration, a real Elasticsearch client response, realistic request bodies. */
public final class Fixtures {

    /** The endpoint of the realistic Elasticsearch span (matches {@code elasticsearch_capture_body_urls}). */
    public static final String SEARCH_ENDPOINT = "/orders-2024.06/_search";

    private Fixtures() {
    }

    /** The core's and the Elasticsearch plugin's options, resolved from {@code options} (canonical keys). */
    public static AgentConfig config(Map<String, String> options) {
        return ConfigLoader.load(new EsOptions().options(),
            Collections.<ConfigSource>singletonList(new MapConfigSource("benchmark", options)));
    }

    /**
     * A real {@code org.elasticsearch.client.Response} as the 7.17 client hands it to the application (its
     * constructor is package-private), answered by {@code https://es-node-1.internal:9200} of cluster
     * {@code production-logs}.
     */
    public static Response response(int status) {
        try {
            HttpResponse http = new BasicHttpResponse(HttpVersion.HTTP_1_1, status, status == 200 ? "OK" : "Error");
            http.addHeader("Content-Type", "application/json; charset=UTF-8");
            http.addHeader("Elastic-Cluster-Name", "production-logs");
            Constructor<Response> constructor = Response.class.getDeclaredConstructor(RequestLine.class,
                HttpHost.class, HttpResponse.class);
            constructor.setAccessible(true);
            return constructor.newInstance(new BasicRequestLine("POST", SEARCH_ENDPOINT, HttpVersion.HTTP_1_1),
                new HttpHost("es-node-1.internal", 9200, "https"), http);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("org.elasticsearch.client.Response cannot be created", e);
        }
    }

    /**
     * A search request body of about 300 characters: what an application typically sends and what the agent
     * records as {@code db.statement}.
     */
    public static String searchBody() {
        return searchBody(0);
    }

    /** {@link #searchBody()} with values that differ per {@code variant}, as the queries of a real application do. */
    public static String searchBody(int variant) {
        int day = 1 + variant % 28;
        return "{\"query\":{\"bool\":{\"must\":[{\"match\":{\"customer.name\":\"Customer " + variant + "\"}},"
            + "{\"range\":{\"order_date\":{\"gte\":\"2024-06-" + (day < 10 ? "0" : "") + day + "T00:00:00Z\","
            + "\"lt\":\"2024-07-01T00:00:00Z\"}}}],\"filter\":[{\"term\":{\"status\":\"shipped\"}},"
            + "{\"terms\":{\"region\":[\"eu-west\",\"eu-central\"]}}]}},\"sort\":[{\"order_date\":\"desc\"}],"
            + "\"size\":" + (10 + variant % 50) + ",\"_source\":[\"id\",\"total\",\"status\"]}";
    }

    /** A JSON body of exactly {@code size} ASCII bytes (a bulk-like run of small documents). */
    public static String jsonBody(int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        sb.append("{\"query\":{\"ids\":{\"values\":[");
        int i = 0;
        while (sb.length() < size - 4) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append("doc-").append(i++).append('"');
        }
        sb.setLength(Math.max(0, size - 4));
        sb.append("]}}}");
        return sb.substring(0, size);
    }

    /** The entity the Elasticsearch client builds for a JSON request body. */
    public static NStringEntity jsonEntity(String body) {
        return new NStringEntity(body, ContentType.APPLICATION_JSON);
    }

    /** Throws when a pooled object was not returned or was used outside its lifetime. */
    public static void assertPoolsClean(Tracer tracer) {
        List<String> problems = new ArrayList<>();
        if (tracer.activationStack().depth() != 0) {
            problems.add("activation stack depth " + tracer.activationStack().depth());
        }
        if (tracer.transactionPool().objectsInUse() != 0) {
            problems.add("transactions in use " + tracer.transactionPool().objectsInUse());
        }
        if (tracer.spanPool().objectsInUse() != 0) {
            problems.add("spans in use " + tracer.spanPool().objectsInUse());
        }
        if (tracer.errorPool().objectsInUse() != 0) {
            problems.add("errors in use " + tracer.errorPool().objectsInUse());
        }
        if (tracer.statementBufferPool().objectsInUse() != 0) {
            problems.add("statement buffers in use " + tracer.statementBufferPool().objectsInUse());
        }
        if (tracer.poolViolations() != 0) {
            problems.add("pool violations " + tracer.poolViolations());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Pools not clean after the benchmark: " + problems);
        }
    }

    /** Starts and activates a sampled root transaction; fails loudly when the tracer does not record. */
    public static Transaction activeTransaction(Tracer tracer) {
        Transaction tx = tracer.startRootTransaction();
        if (tx == null) {
            throw new IllegalStateException("the tracer does not record");
        }
        tx.activate();
        return tx;
    }

    /** Fails loudly when a span that must exist was not started. */
    public static Span require(Span span, String what) {
        if (span == null) {
            throw new IllegalStateException(what + ": no span was started");
        }
        return span;
    }
}

package dev.nimbleapm.agent.plugin.es.restclient.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;

import org.apache.http.HttpHost;
import org.apache.http.HttpResponse;
import org.apache.http.HttpVersion;
import org.apache.http.RequestLine;
import org.apache.http.message.BasicHttpResponse;
import org.apache.http.message.BasicRequestLine;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.model.Outcome;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;
import dev.nimbleapm.agent.core.tracer.Tracer;

/** What a response (or a ResponseException) tells the span, read through the method handles. */
class EsResponseRecordingTest {

    private final RecordingReporter reporter = new RecordingReporter();
    private Tracer tracer;
    private Transaction tx;

    @BeforeEach
    void start() {
        tracer = new Tracer(ConfigLoader.load(new EsOptions().options(), Collections.<ConfigSource>emptyList()),
            reporter);
        Tracer.install(tracer);
        tx = tracer.startRootTransaction();
        tx.activate();
    }

    @AfterEach
    void stop() {
        tx.deactivate();
        tx.end();
        Tracer.install(null);
        assertThat(tracer.spanPool().objectsInUse()).isZero();
    }

    private static Response response(int status, String clusterHeader, String clusterName) throws Exception {
        HttpResponse http = new BasicHttpResponse(HttpVersion.HTTP_1_1, status, "status " + status);
        if (clusterHeader != null) {
            http.addHeader(clusterHeader, clusterName);
        }
        Constructor<Response> constructor = Response.class.getDeclaredConstructor(RequestLine.class, HttpHost.class,
            HttpResponse.class);
        constructor.setAccessible(true);
        return constructor.newInstance(new BasicRequestLine("GET", "/books/_search", HttpVersion.HTTP_1_1),
            new HttpHost("es-node-2.example", 9243, "https"), http);
    }

    /** Ends a sync span with the given outcome and hands back the span object before it is recycled. */
    private Span record(Object response, Throwable thrown, SpanCheck check) {
        Span span = EsRequests.startSync("GET", "/books/_search");
        span.incrementReferences();
        EsRequests.endSync(span, response, thrown);
        check.check(span);
        span.decrementReferences();
        return span;
    }

    interface SpanCheck {
        void check(Span span);
    }

    @Test
    void recordsTheNodeThatAnsweredAndTheCloudCluster() throws Exception {
        record(response(200, "x-found-handling-cluster", "cloud-cluster-1"), null, span -> {
            assertThat(span.http().statusCode()).isEqualTo(200);
            assertThat(span.http().scheme()).isEqualTo("https");
            assertThat(span.http().host()).isEqualTo("es-node-2.example");
            assertThat(span.http().port()).isEqualTo(9243);
            assertThat(span.destination().address()).isEqualTo("es-node-2.example");
            assertThat(span.destination().targetType()).isEqualTo("elasticsearch");
            assertThat(span.destination().targetName()).isEqualTo("cloud-cluster-1");
            assertThat(span.outcome()).isEqualTo(Outcome.SUCCESS);
        });
    }

    @Test
    void readsTheClusterNameHeader() throws Exception {
        record(response(200, "Elastic-Cluster-Name", "on-prem"), null,
            span -> assertThat(span.destination().targetName()).isEqualTo("on-prem"));
    }

    @Test
    void aResponseExceptionGivesStatusNodeAndAnErrorWithItsCode() throws Exception {
        ResponseException exception = new ResponseException(response(503, null, null));
        record(null, exception, span -> {
            assertThat(span.http().statusCode()).isEqualTo(503);
            assertThat(span.destination().port()).isEqualTo(9243);
            assertThat(span.outcome()).isEqualTo(Outcome.FAILURE);
        });
        assertThat(reporter.errors).containsExactly(exception);
    }

    @Test
    void anErrorStatusWithoutExceptionFailsWithoutErrorEvent() throws Exception {
        record(response(404, null, null), null, span -> assertThat(span.outcome()).isEqualTo(Outcome.FAILURE));
        assertThat(reporter.errors).isEmpty();
    }

    @Test
    void cancellationEndsWithUnknownOutcomeAndNoError() {
        record(null, new java.util.concurrent.CancellationException("request was cancelled"),
            span -> assertThat(span.outcome()).isEqualTo(Outcome.UNKNOWN));
        assertThat(reporter.errors).isEmpty();
    }

    /**
     * A client in a second, discardable class loader (as in an application server) is read through the generic
     * handles, the one on the application class path through the constant ones: both give the same span. The second
     * loader is not kept by any static field (ClassLoaderIT shows it is collected).
     */
    @Test
    void aClientInAnotherClassLoaderIsReadAsWell() throws Exception {
        record(response(200, "Elastic-Cluster-Name", "main-loader"), null,
            span -> assertThat(span.destination().targetName()).isEqualTo("main-loader"));
        try (URLClassLoader isolated = new URLClassLoader(new URL[]{jarOf(Response.class), jarOf(HttpHost.class),
            jarOf(org.apache.http.client.methods.HttpUriRequest.class)}, null)) {
            assertThat(PermanentLoaders.contains(isolated)).isFalse();
            Class<?> version = isolated.loadClass("org.apache.http.HttpVersion");
            Class<?> protocolVersion = isolated.loadClass("org.apache.http.ProtocolVersion");
            Class<?> host = isolated.loadClass("org.apache.http.HttpHost");
            Class<?> requestLine = isolated.loadClass("org.apache.http.RequestLine");
            Class<?> httpResponse = isolated.loadClass("org.apache.http.HttpResponse");
            Object http11 = version.getField("HTTP_1_1").get(null);
            Object http = isolated.loadClass("org.apache.http.message.BasicHttpResponse")
                .getConstructor(protocolVersion, int.class, String.class).newInstance(http11, 201, "created");
            httpResponse.getMethod("addHeader", String.class, String.class).invoke(http, "Elastic-Cluster-Name",
                "isolated-loader");
            Object line = isolated.loadClass("org.apache.http.message.BasicRequestLine")
                .getConstructor(String.class, String.class, protocolVersion).newInstance("GET", "/books/_search",
                    http11);
            Object node = host.getConstructor(String.class, int.class, String.class).newInstance("es-iso", 9200,
                "http");
            Class<?> responseClass = isolated.loadClass("org.elasticsearch.client.Response");
            assertThat(responseClass).isNotSameAs(Response.class);
            Constructor<?> constructor = responseClass.getDeclaredConstructor(requestLine, host, httpResponse);
            constructor.setAccessible(true);
            Object isolatedResponse = constructor.newInstance(line, node, http);
            record(isolatedResponse, null, span -> {
                assertThat(span.http().statusCode()).isEqualTo(201);
                assertThat(span.http().host()).isEqualTo("es-iso");
                assertThat(span.destination().targetName()).isEqualTo("isolated-loader");
            });
        }
        record(response(200, "Elastic-Cluster-Name", "main-loader-again"), null,
            span -> assertThat(span.destination().targetName()).isEqualTo("main-loader-again"));
    }

    @Test
    void permanentLoadersAreTheBootstrapAndApplicationLoadersAndTheirAncestors() throws Exception {
        assertThat(PermanentLoaders.contains(null)).isTrue();
        assertThat(PermanentLoaders.contains(ClassLoader.getSystemClassLoader())).isTrue();
        assertThat(PermanentLoaders.contains(ClassLoader.getSystemClassLoader().getParent())).isTrue();
        try (URLClassLoader discardable = new URLClassLoader(new URL[0], null)) {
            assertThat(PermanentLoaders.contains(discardable)).isFalse();
        }
    }

    private static URL jarOf(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }
}

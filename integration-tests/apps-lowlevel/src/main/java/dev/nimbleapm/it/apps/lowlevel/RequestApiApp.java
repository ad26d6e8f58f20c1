package dev.nimbleapm.it.apps.lowlevel;

import static dev.nimbleapm.it.apps.lowlevel.Common.BAD_QUERY;
import static dev.nimbleapm.it.apps.lowlevel.Common.COUNT;
import static dev.nimbleapm.it.apps.lowlevel.Common.SEARCH;
import static dev.nimbleapm.it.apps.lowlevel.Common.json;
import static dev.nimbleapm.it.apps.lowlevel.Common.status;
import static dev.nimbleapm.it.apps.support.Scenarios.listenerWork;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.http.HttpEntity;
import org.apache.http.HttpHost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

import co.elastic.apm.api.ElasticApm;
import dev.nimbleapm.it.apps.support.Scenarios;

/**
 * An application using the {@code Request} API of the low-level client (6.4.0 and later). Arguments: the
 * Elasticsearch URL, a closed port, then the scenarios to run.
 */
public final class RequestApiApp extends Scenarios {

    private final RestClient client;
    private final String closedUrl;
    private final String index;

    private RequestApiApp(RestClient client, String closedUrl, String index) {
        this.client = client;
        this.closedUrl = closedUrl;
        this.index = index;
        add("index", () -> status(client.performRequest(request("PUT", "/" + index + "/_doc/1?refresh=true",
            new NStringEntity("{\"title\":\"hello\"}", ContentType.APPLICATION_JSON)))));
        add("search", () -> status(client.performRequest(request("POST", "/" + index + "/_search", json(SEARCH)))));
        add("count", () -> status(client.performRequest(request("POST", "/" + index + "/_count", json(COUNT)))));
        add("get404", () -> status(client.performRequest(request("GET", "/" + index + "/_doc/missing", null))));
        add("search400", () -> status(client.performRequest(request("POST", "/" + index + "/_search",
            json(BAD_QUERY)))));
        add("head404", () -> status(client.performRequest(request("HEAD", "/no-such-index-" + index, null))));
        add("asyncSearch", () -> async(request("POST", "/" + index + "/_search", json(SEARCH))));
        add("async404", () -> async(request("GET", "/" + index + "/_doc/missing", null)));
        add("refused", () -> {
            try (RestClient closed = RestClient.builder(HttpHost.create(closedUrl)).build()) {
                return status(closed.performRequest(request("GET", "/", null)));
            }
        });
        add("asyncRefused", () -> {
            try (RestClient closed = RestClient.builder(HttpHost.create(closedUrl)).build()) {
                return asyncOn(closed, request("GET", "/", null));
            }
        });
        add("outside-search", () -> status(client.performRequest(request("POST", "/" + index + "/_search",
            json(SEARCH)))));
        add("unsampled-search", () -> {
            Bodies.UnknownLengthEntity entity = new Bodies.UnknownLengthEntity(SEARCH);
            String status = status(client.performRequest(request("POST", "/" + index + "/_search", entity)));
            return status + " reads=" + entity.reads;
        });
        add("overloads", () -> {
            status(client.performRequest(request("GET", "/", null)));
            String async = async(request("GET", "/", null));
            return "OK " + async;
        });
        add("bodyLarge", () -> roundTrip("large", new NStringEntity(Bodies.largeDocument(5 * 1024 * 1024),
            ContentType.APPLICATION_JSON), Bodies.largeDocument(5 * 1024 * 1024)));
        add("bodyGzipEntity", () -> roundTrip("gzip", Bodies.gzipped("{\"title\":\"gzipped\"}"),
            "{\"title\":\"gzipped\"}"));
        add("bodyWriteOnly", () -> roundTrip("writeonly", new Bodies.WriteOnlyEntity("{\"title\":\"write only\"}"),
            "{\"title\":\"write only\"}"));
        add("bodyUnknownLength", () -> {
            Bodies.UnknownLengthEntity entity = new Bodies.UnknownLengthEntity("{\"title\":\"unknown length\"}");
            return roundTrip("unknown", entity, "{\"title\":\"unknown length\"}") + " reads=" + entity.reads;
        });
        add("bodyStreaming", () -> {
            byte[] bytes = "{\"title\":\"streamed\"}".getBytes(StandardCharsets.UTF_8);
            return roundTrip("streamed", new InputStreamEntity(new ByteArrayInputStream(bytes), -1,
                ContentType.APPLICATION_JSON), "{\"title\":\"streamed\"}");
        });
        add("bodyNonUtf8", () -> {
            byte[] bytes = "{\"query\":{\"match\":{\"title\":\"caf\u00e9\"}}}".getBytes(StandardCharsets.ISO_8859_1);
            return status(client.performRequest(request("POST", "/" + index + "/_search",
                new ByteArrayEntity(bytes, ContentType.APPLICATION_JSON))));
        });
        add("bodyCompressedClient", this::compressedClient);
        add("retryOverNodes", () -> {
            // the first node refuses connections; the client retries on the second, within the same request
            try (RestClient twoNodes = RestClient.builder(HttpHost.create(closedUrl),
                client.getNodes().get(0).getHost()).build()) {
                String first = status(twoNodes.performRequest(request("POST", "/" + index + "/_count", json(COUNT))));
                String second = status(twoNodes.performRequest(request("POST", "/" + index + "/_count",
                    json(COUNT))));
                return first + " " + second;
            }
        });
        add("asyncCancel", () -> {
            java.lang.reflect.Method async = RestClient.class.getMethod("performRequestAsync", Request.class,
                ResponseListener.class);
            if (async.getReturnType() == void.class) {
                return "SKIP no Cancellable before 7.5";
            }
            // a server that accepts and never answers: the request is in flight when it is cancelled
            try (RestClient silent = RestClient.builder(HttpHost.create(System.getProperty("it.silent.url")))
                .build()) {
                final CountDownLatch done = new CountDownLatch(1);
                final AtomicReference<String> result = new AtomicReference<String>();
                final String transactionId = ElasticApm.currentTransaction().getId();
                Object cancellable = async.invoke(silent, request("GET", "/", null), new ResponseListener() {
                    @Override
                    public void onSuccess(Response response) {
                        result.set("unexpected success");
                        done.countDown();
                    }

                    @Override
                    public void onFailure(Exception exception) {
                        result.set(listenerWork(transactionId) + " " + describe(exception));
                        done.countDown();
                    }
                });
                async.getReturnType().getMethod("cancel").invoke(cancellable);
                return done.await(60, TimeUnit.SECONDS) ? result.get() : "TIMEOUT";
            }
        });
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String closed = args[1];
        String index = args[2];
        try (RestClient client = RestClient.builder(HttpHost.create(url)).build()) {
            String[] names = new String[args.length - 3];
            System.arraycopy(args, 3, names, 0, names.length);
            new RequestApiApp(client, closed, index).runAll(names);
        }
    }

    static Request request(String method, String endpoint, HttpEntity entity) {
        int q = endpoint.indexOf('?');
        Request request = new Request(method, q < 0 ? endpoint : endpoint.substring(0, q));
        if (q >= 0) {
            for (String pair : endpoint.substring(q + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                request.addParameter(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        if (entity != null) {
            request.setEntity(entity);
        }
        return request;
    }

    private String async(Request request) throws Exception {
        return asyncOn(client, request);
    }

    private static String asyncOn(RestClient client, Request request) throws Exception {
        Common.RecordingListener listener = new Common.RecordingListener();
        // void up to 7.4, Cancellable from 7.5: call it so that one compiled app runs on both
        RestClient.class.getMethod("performRequestAsync", Request.class, ResponseListener.class).invoke(client,
            request, listener);
        return listener.await();
    }

    private String roundTrip(String id, HttpEntity entity, String expected) throws Exception {
        String path = "/" + index + "-body/_doc/" + id + "?refresh=true";
        status(client.performRequest(request("PUT", path, entity)));
        Response stored = client.performRequest(request("GET", "/" + index + "-body/_source/" + id, null));
        byte[] received = EntityUtils.toByteArray(stored.getEntity());
        return Bodies.sha256(received).equals(Bodies.sha256(expected.getBytes(StandardCharsets.UTF_8)))
            ? "MATCH" : "MISMATCH " + new String(received, StandardCharsets.UTF_8);
    }

    private String compressedClient() throws Exception {
        RestClientBuilder builder = RestClient.builder(client.getNodes().get(0).getHost());
        try {
            RestClientBuilder.class.getMethod("setCompressionEnabled", boolean.class).invoke(builder, true);
        } catch (NoSuchMethodException e) {
            return "SKIP no compression before 7.11";
        }
        try (RestClient compressing = builder.build()) {
            String json = "{\"title\":\"compressed by the client\"}";
            String path = "/" + index + "-body/_doc/compressed?refresh=true";
            status(compressing.performRequest(request("PUT", path, json(json))));
            Response stored = compressing.performRequest(request("GET", "/" + index + "-body/_source/compressed",
                null));
            byte[] received = EntityUtils.toByteArray(stored.getEntity());
            return new String(received, StandardCharsets.UTF_8).equals(json) ? "MATCH" : "MISMATCH";
        }
    }
}

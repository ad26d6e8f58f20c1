package dev.nimbleapm.it.apps.lowlevel;

import static dev.nimbleapm.it.apps.lowlevel.Common.BAD_QUERY;
import static dev.nimbleapm.it.apps.lowlevel.Common.COUNT;
import static dev.nimbleapm.it.apps.lowlevel.Common.SEARCH;
import static dev.nimbleapm.it.apps.lowlevel.Common.json;
import static dev.nimbleapm.it.apps.lowlevel.Common.status;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpHost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.HttpAsyncResponseConsumerFactory;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;

import dev.nimbleapm.it.apps.support.Scenarios;

/**
 * An application using the String/Map/HttpEntity methods of the low-level client (5.0.2 to 6.8; deprecated from
 * 6.4, removed in 7.0). Arguments: the Elasticsearch URL, a closed port, an index name, then scenarios.
 */
public final class LegacyApiApp extends Scenarios {

    private static final Header[] NO_HEADERS = new Header[0];

    private final RestClient client;
    private final String index;
    private final String esUrl;

    private LegacyApiApp(final RestClient client, final String esUrl, final String closedUrl, final String index) {
        this.client = client;
        this.index = index;
        this.esUrl = esUrl;
        add("index", () -> status(client.performRequest("PUT", "/" + index + "/_doc/1", params("refresh", "true"),
            json("{\"title\":\"hello\"}"))));
        add("search", () -> status(client.performRequest("POST", "/" + index + "/_search", params(),
            json(SEARCH))));
        add("count", () -> status(client.performRequest("POST", "/" + index + "/_count", params(), json(COUNT))));
        add("get404", () -> status(client.performRequest("GET", "/" + index + "/_doc/missing")));
        add("search400", () -> status(client.performRequest("POST", "/" + index + "/_search", params(),
            json(BAD_QUERY))));
        add("head404", () -> status(client.performRequest("HEAD", "/no-such-index-" + index)));
        add("asyncSearch", () -> async(client, "POST", "/" + index + "/_search", json(SEARCH)));
        add("async404", () -> async(client, "GET", "/" + index + "/_doc/missing", null));
        add("refused", () -> {
            RestClient closed = RestClient.builder(HttpHost.create(closedUrl)).build();
            try {
                return status(closed.performRequest("GET", "/"));
            } finally {
                closed.close();
            }
        });
        add("asyncRefused", () -> {
            RestClient closed = RestClient.builder(HttpHost.create(closedUrl)).build();
            try {
                return async(closed, "GET", "/", null);
            } finally {
                closed.close();
            }
        });
        add("outside-search", () -> status(client.performRequest("POST", "/" + index + "/_search", params(),
            json(SEARCH))));
        add("unsampled-search", () -> {
            Bodies.UnknownLengthEntity entity = new Bodies.UnknownLengthEntity(SEARCH);
            return status(client.performRequest("POST", "/" + index + "/_search", params(), entity))
                + " reads=" + entity.reads;
        });
        add("overloads", this::everyOverload);
        add("retryOverNodes", () -> {
            RestClient twoNodes = RestClient.builder(HttpHost.create(closedUrl), HttpHost.create(esUrl)).build();
            try {
                String first = status(twoNodes.performRequest("POST", "/" + index + "/_count", params(),
                    json(COUNT)));
                String second = status(twoNodes.performRequest("POST", "/" + index + "/_count", params(),
                    json(COUNT)));
                return first + " " + second;
            } finally {
                twoNodes.close();
            }
        });
        add("bodyGzipEntity", () -> roundTrip("gzip", Bodies.gzipped("{\"title\":\"gzipped\"}"),
            "{\"title\":\"gzipped\"}"));
        add("bodyWriteOnly", () -> roundTrip("writeonly", new Bodies.WriteOnlyEntity("{\"title\":\"write only\"}"),
            "{\"title\":\"write only\"}"));
        add("bodyNonUtf8", () -> {
            byte[] bytes = "{\"query\":{\"match\":{\"title\":\"caf\u00e9\"}}}".getBytes(StandardCharsets.ISO_8859_1);
            return status(client.performRequest("POST", "/" + index + "/_search", params(),
                new ByteArrayEntity(bytes, ContentType.APPLICATION_JSON)));
        });
    }

    public static void main(String[] args) throws Exception {
        RestClient client = RestClient.builder(HttpHost.create(args[0])).build();
        try {
            String[] names = new String[args.length - 3];
            System.arraycopy(args, 3, names, 0, names.length);
            new LegacyApiApp(client, args[0], args[1], args[2]).runAll(names);
        } finally {
            client.close();
        }
    }

    private static Map<String, String> params(String... keyValues) {
        Map<String, String> params = new HashMap<String, String>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            params.put(keyValues[i], keyValues[i + 1]);
        }
        return params;
    }

    /** Every public request method of the String-based API, each once: one span each. */
    private String everyOverload() throws Exception {
        String count = "/" + index + "/_count";
        int calls = 0;
        status(client.performRequest("GET", count));
        calls++;
        status(client.performRequest("GET", count, params()));
        calls++;
        status(client.performRequest("POST", count, params(), json(COUNT)));
        calls++;
        // the consumer factory is public API only from 5.1 on
        boolean factoryIsPublic = java.lang.reflect.Modifier.isPublic(
            Class.forName("org.elasticsearch.client.HttpAsyncResponseConsumerFactory").getModifiers());
        if (factoryIsPublic) {
            status(client.performRequest("POST", count, params(), json(COUNT),
                HttpAsyncResponseConsumerFactory.DEFAULT, NO_HEADERS));
            calls++;
        }
        awaitListener(listener -> client.performRequestAsync("GET", count, listener));
        calls++;
        awaitListener(listener -> client.performRequestAsync("GET", count, params(), listener));
        calls++;
        awaitListener(listener -> client.performRequestAsync("POST", count, params(), json(COUNT), listener));
        calls++;
        if (factoryIsPublic) {
            awaitListener(listener -> client.performRequestAsync("POST", count, params(), json(COUNT),
                HttpAsyncResponseConsumerFactory.DEFAULT, listener, NO_HEADERS));
            calls++;
        }
        return "OK calls=" + calls;
    }

    interface AsyncCall {
        void start(ResponseListener listener) throws Exception;
    }

    private static String awaitListener(AsyncCall call) throws Exception {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<String> result = new AtomicReference<String>();
        call.start(new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                result.set(String.valueOf(response.getStatusLine().getStatusCode()));
                done.countDown();
            }

            @Override
            public void onFailure(Exception exception) {
                result.set(describe(exception));
                done.countDown();
            }
        });
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no answer");
        }
        return result.get();
    }

    private static String async(RestClient client, String method, String endpoint, HttpEntity entity)
        throws Exception {
        Common.RecordingListener listener = new Common.RecordingListener();
        client.performRequestAsync(method, endpoint, params(), entity, listener);
        return listener.await();
    }

    private String roundTrip(String id, HttpEntity entity, String expected) throws Exception {
        status(client.performRequest("PUT", "/" + index + "-body/_doc/" + id, params("refresh", "true"), entity));
        Response stored = client.performRequest("GET", "/" + index + "-body/_source/" + id);
        byte[] received = EntityUtils.toByteArray(stored.getEntity());
        return Bodies.sha256(received).equals(Bodies.sha256(expected.getBytes(StandardCharsets.UTF_8)))
            ? "MATCH" : "MISMATCH " + new String(received, StandardCharsets.UTF_8);
    }
}

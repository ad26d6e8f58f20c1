package dev.nimbleapm.it.apps.javaclient;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import dev.nimbleapm.it.apps.support.Scenarios;

/**
 * An application using the Java API client (7.17, 8.x): it is traced through the low-level client of its
 * {@code RestClientTransport}. Arguments: the Elasticsearch URL, an index name, then scenarios.
 */
public final class JavaClientApp extends Scenarios {

    private JavaClientApp(final ElasticsearchClient client, final ElasticsearchAsyncClient async, final String index) {
        add("index", () -> client.index(i -> i.index(index).id("1").refresh(Refresh.True)
            .document(Collections.singletonMap("title", "hello"))).result().jsonValue());
        add("search", () -> client.search(s -> s.index(index).query(q -> q.match(m -> m.field("title")
            .query(v -> v.stringValue("hello")))), Map.class).hits().hits().size() + " hits");
        add("count", () -> client.count(c -> c.index(index)).count() + " docs");
        add("getMissing", () -> "found=" + client.get(g -> g.index(index).id("missing"), Map.class).found());
        add("asyncSearch", () -> {
            final String transactionId = ElasticApm.currentTransaction().getId();
            return async.search(s -> s.index(index), Map.class)
                .thenApply(r -> listenerWork(transactionId) + " " + r.hits().hits().size() + " hits")
                .get(60, TimeUnit.SECONDS);
        });
    }

    public static void main(String[] args) throws Exception {
        RestClient restClient = RestClient.builder(HttpHost.create(args[0])).build();
        try {
            RestClientTransport transport = new RestClientTransport(restClient, new JacksonJsonpMapper());
            String[] names = new String[args.length - 2];
            System.arraycopy(args, 2, names, 0, names.length);
            new JavaClientApp(new ElasticsearchClient(transport), new ElasticsearchAsyncClient(transport), args[1])
                .runAll(names);
        } finally {
            restClient.close();
        }
    }
}

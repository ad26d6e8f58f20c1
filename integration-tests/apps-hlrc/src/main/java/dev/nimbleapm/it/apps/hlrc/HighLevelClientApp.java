package dev.nimbleapm.it.apps.hlrc;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.http.HttpHost;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.get.GetRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestHighLevelClient;
import org.elasticsearch.client.core.CountRequest;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.search.builder.SearchSourceBuilder;

import co.elastic.apm.api.ElasticApm;
import dev.nimbleapm.it.apps.support.Scenarios;

/**
 * An application using the high-level REST client (6.8 and 7.17): it is traced through the low-level client it
 * wraps. Arguments: the Elasticsearch URL, an index name, then scenarios.
 */
public final class HighLevelClientApp extends Scenarios {

    private HighLevelClientApp(final RestHighLevelClient client, final String index) {
        add("info", () -> client.info(RequestOptions.DEFAULT).getVersion().getNumber() != null ? "OK" : "NO");
        add("index", () -> client.index(new IndexRequest(index).id("1")
            .source(java.util.Collections.singletonMap("title", "hello"))
            .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE), RequestOptions.DEFAULT).status().getStatus()
            + "");
        add("search", () -> client.search(new SearchRequest(index).source(new SearchSourceBuilder()
            .query(QueryBuilders.matchQuery("title", "hello"))), RequestOptions.DEFAULT).getHits().getHits().length
            + " hits");
        add("count", () -> client.count(new CountRequest(index), RequestOptions.DEFAULT).getCount() + " docs");
        add("getMissing", () -> "exists=" + client.get(new GetRequest(index).id("missing"), RequestOptions.DEFAULT)
            .isExists());
        add("asyncSearch", () -> {
            final CountDownLatch done = new CountDownLatch(1);
            final AtomicReference<String> result = new AtomicReference<String>();
            final String transactionId = ElasticApm.currentTransaction().getId();
            client.searchAsync(new SearchRequest(index), RequestOptions.DEFAULT, new ActionListener<SearchResponse>() {
                @Override
                public void onResponse(SearchResponse response) {
                    result.set(listenerWork(transactionId) + " " + response.status().getStatus());
                    done.countDown();
                }

                @Override
                public void onFailure(Exception e) {
                    result.set(listenerWork(transactionId) + " " + describe(e));
                    done.countDown();
                }
            });
            return done.await(60, TimeUnit.SECONDS) ? result.get() : "TIMEOUT";
        });
    }

    public static void main(String[] args) throws Exception {
        RestHighLevelClient client = new RestHighLevelClient(RestClient.builder(HttpHost.create(args[0])));
        try {
            String[] names = new String[args.length - 2];
            System.arraycopy(args, 2, names, 0, names.length);
            new HighLevelClientApp(client, args[1]).runAll(names);
        } finally {
            client.close();
        }
    }
}

package dev.nimbleapm.it.apps.attach;

import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/** One unit of the applications' work: a transaction labelled with its number, around one search request. */
final class Iterations {

    private Iterations() {
    }

    static void run(RestClient client, String index, int n) {
        Transaction tx = ElasticApm.startTransaction();
        tx.setName("iteration " + n);
        tx.setLabel("iteration", n);
        try (Scope scope = tx.activate()) {
            // all indices: there is nothing to set up, and the index name only labels the run
            Request request = new Request("POST", "/_search");
            request.addParameter("q", "run:" + index);
            request.setEntity(new NStringEntity("{\"query\":{\"match_all\":{}}}", ContentType.APPLICATION_JSON));
            Response response = client.performRequest(request);
            EntityUtils.consume(response.getEntity());
            System.out.println("iteration " + n + " ok " + response.getStatusLine().getStatusCode());
        } catch (Exception e) {
            System.out.println("iteration " + n + " error " + e);
        } finally {
            tx.end();
        }
    }
}

package dev.nimbleapm.it.apps.reliability;

import java.io.File;

import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

import co.elastic.apm.api.ElasticApm;
import co.elastic.apm.api.Scope;
import co.elastic.apm.api.Transaction;

/**
 * A service that keeps searching, one transaction (labelled {@code iteration}) per request, until a stop file
 * appears; prints per iteration whether the agent recorded it (a transaction that is not recorded has no id).
 * Arguments: Elasticsearch URL, stop file.
 */
public final class RecordingToggleApp {

    public static void main(String[] args) throws Exception {
        File stop = new File(args[1]);
        try (RestClient client = RestClient.builder(HttpHost.create(args[0])).build()) {
            for (int n = 1; n <= 3000 && !stop.exists(); n++) {
                Transaction tx = ElasticApm.startTransaction();
                boolean recorded = !tx.getId().isEmpty();
                tx.setName("iteration " + n);
                tx.setLabel("iteration", n);
                String status;
                try (Scope scope = tx.activate()) {
                    Request request = new Request("POST", "/_search");
                    request.addParameter("size", "0");
                    request.setEntity(new NStringEntity("{\"query\":{\"match_all\":{}}}",
                        ContentType.APPLICATION_JSON));
                    Response response = client.performRequest(request);
                    EntityUtils.consume(response.getEntity());
                    status = String.valueOf(response.getStatusLine().getStatusCode());
                } catch (Exception e) {
                    status = e.toString();
                } finally {
                    tx.end();
                }
                System.out.println("iteration " + n + " recorded=" + recorded + " status=" + status);
                Thread.sleep(20);
            }
        }
        System.out.println("stopped");
    }
}

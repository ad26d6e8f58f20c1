package dev.nimbleapm.it.apps.attach;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

import dev.nimbleapm.agent.attach.ApmAttacher;

/**
 * An application that attaches the agent itself, after it has already made requests. Arguments: Elasticsearch URL,
 * APM Server URL, index.
 */
public final class SelfAttachingApp {

    public static void main(String[] args) throws Exception {
        try (RestClient client = RestClient.builder(HttpHost.create(args[0])).build()) {
            for (int n = 1; n <= 3; n++) {
                Iterations.run(client, args[2], n);
            }
            Map<String, String> config = new LinkedHashMap<String, String>();
            config.put("server_url", args[1]);
            config.put("service_name", "self-attached");
            ApmAttacher.attach(config);
            ApmAttacher.attach(config);
            System.out.println("attached");
            for (int n = 4; n <= 8; n++) {
                Iterations.run(client, args[2], n);
            }
        }
    }
}

package dev.nimbleapm.it.apps.attach;

import java.io.File;

import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * A service started without the agent that keeps making requests until a stop file appears; the agent is attached
 * to it from outside while it runs. Arguments: Elasticsearch URL, index, stop file.
 */
public final class RunningServiceApp {

    public static void main(String[] args) throws Exception {
        File stop = new File(args[2]);
        try (RestClient client = RestClient.builder(HttpHost.create(args[0])).build()) {
            for (int n = 1; n <= 1200 && !stop.exists(); n++) {
                Iterations.run(client, args[1], n);
                Thread.sleep(50);
            }
        }
        System.out.println("stopped");
    }
}

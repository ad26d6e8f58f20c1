package dev.nimbleapm.it;

import java.nio.file.Path;
import java.nio.file.Paths;

import dev.nimbleapm.agent.testkit.ElasticsearchNode;

/** The real Elasticsearch node of this test run: started once, shared by every test, stopped at exit. */
public final class EsNodes {

    private EsNodes() {
    }

    public static ElasticsearchNode node7() {
        return ElasticsearchNode.shared(home("elasticsearch.home"));
    }

    private static ElasticsearchNode node8;

    /** An Elasticsearch 8 node, for clients that speak only to 8.x; started on first use, stopped at exit. */
    public static synchronized ElasticsearchNode node8() {
        if (node8 == null) {
            ElasticsearchNode node = ElasticsearchNode.start(home("elasticsearch8.home"));
            Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "elasticsearch8-stop"));
            node8 = node;
        }
        return node8;
    }

    private static Path home(String property) {
        String home = System.getProperty(property);
        if (home == null) {
            throw new IllegalStateException(property + " is not set: run the integration tests through Maven");
        }
        return Paths.get(home);
    }
}

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

    private static Path home(String property) {
        String home = System.getProperty(property);
        if (home == null) {
            throw new IllegalStateException(property + " is not set: run the integration tests through Maven");
        }
        return Paths.get(home);
    }
}

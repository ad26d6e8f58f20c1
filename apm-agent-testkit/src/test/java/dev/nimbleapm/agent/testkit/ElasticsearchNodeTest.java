package dev.nimbleapm.agent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ElasticsearchNodeTest {

    private static final String VERSION = "7.17.10";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * The distribution the pom unpacks (system property {@code elasticsearch.home}); without it (e.g. in an IDE),
     * the zip in the local Maven repository unpacked into target/.
     */
    static Path distributionHome() throws IOException {
        String configured = System.getProperty("elasticsearch.home");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        Path zip = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "elasticsearch",
                "distribution", "integ-test-zip", "elasticsearch", VERSION, "elasticsearch-" + VERSION + ".zip");
        assumeTrue(Files.isRegularFile(zip), "no Elasticsearch distribution: run through Maven, or get " + zip);
        Path target = Path.of("target", "elasticsearch-from-local-repo").toAbsolutePath();
        Path home = target.resolve("elasticsearch-" + VERSION);
        if (!Files.isRegularFile(home.resolve("bin").resolve("elasticsearch"))) {
            unzip(zip, target);
        }
        return home;
    }

    private static void unzip(Path zip, Path target) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, out);
                    }
                }
            }
        }
    }

    private HttpResponse<String> send(String method, String url, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsIndexesSearchesAndStops() throws Exception {
        assumeTrue(ElasticsearchNode.externalUrl().isEmpty(), "an external cluster is configured");
        long start = System.nanoTime();
        ElasticsearchNode node = ElasticsearchNode.shared(distributionHome());
        Duration startup = Duration.ofNanos(System.nanoTime() - start);
        try {
            assertThat(startup).isLessThan(Duration.ofSeconds(120));
            assertThat(ElasticsearchNode.shared(distributionHome())).isSameAs(node);
            assertThat(node.version()).isEqualTo(VERSION);
            assertThat(node.host()).isEqualTo("127.0.0.1");
            assertThat(node.httpUrl()).isEqualTo("http://127.0.0.1:" + node.port());
            Path workDir = node.workDir().orElseThrow();
            assertThat(workDir.resolve("elasticsearch").resolve("config").resolve("elasticsearch.yml"))
                    .content().contains("discovery.type: single-node", "cluster.name: nimble-test",
                            // only the one xpack setting this distribution knows (it refuses unknown settings)
                            "xpack.security.enabled: false")
                    .doesNotContain("xpack.monitoring", "xpack.ml");

            HttpResponse<String> indexed = send("PUT", node.httpUrl() + "/nimble-test/_doc/1?refresh=true",
                    "{\"title\":\"hello from the nimble test kit\"}");
            assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);

            HttpResponse<String> found = send("POST", node.httpUrl() + "/nimble-test/_search",
                    "{\"query\":{\"match\":{\"title\":\"nimble\"}}}");
            assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
            JsonNode hits = MAPPER.readTree(found.body()).path("hits");
            assertThat(hits.path("total").path("value").asInt()).isEqualTo(1);
            assertThat(hits.path("hits").get(0).path("_source").path("title").asText())
                    .isEqualTo("hello from the nimble test kit");

            JsonNode root = MAPPER.readTree(send("GET", node.httpUrl() + "/", null).body());
            assertThat(root.path("cluster_name").asText()).isEqualTo("nimble-test");

            // the same cluster through the "external URL" path; stopping that handle leaves the node running
            ElasticsearchNode external = ElasticsearchNode.connect(node.httpUrl() + "/");
            assertThat(external.version()).isEqualTo(VERSION);
            assertThat(external.httpUrl()).isEqualTo(node.httpUrl());
            assertThat(external.workDir()).isEmpty();
            external.stop();
            assertThat(send("GET", node.httpUrl() + "/", null).statusCode()).isEqualTo(200);

            node.stop();
            assertThat(node.isStopped()).isTrue();
            assertThatThrownBy(() -> send("GET", node.httpUrl() + "/", null)).isInstanceOf(ConnectException.class);
            assertThat(workDir).doesNotExist();
        } finally {
            node.stop();
        }
    }

    @Test
    void refusesSomethingThatIsNotADistribution(@TempDir Path empty) {
        assertThatThrownBy(() -> ElasticsearchNode.start(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an unpacked Elasticsearch distribution");
    }

    @Test
    void connectFailsForAUrlWithoutPort() {
        assertThatThrownBy(() -> ElasticsearchNode.connect("http://127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recognisesAPortTakenDuringStartUp() {
        assertThat(ElasticsearchNode.portWasTaken("[ERROR][o.e.b.Bootstrap] Exception\n"
                + "org.elasticsearch.http.BindHttpException: Failed to bind to 127.0.0.1:9200\n"
                + "Caused by: java.net.BindException: Address already in use")).isTrue();
        assertThat(ElasticsearchNode.portWasTaken("java.lang.IllegalArgumentException: unknown setting [xpack.foo]"))
                .isFalse();
    }

    @Test
    void tailKeepsTheLastLines(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 250; i++) {
            content.append("line ").append(i).append('\n');
        }
        Files.writeString(log, content);
        String tail = ElasticsearchNode.tail(log, 100);
        assertThat(tail.lines()).hasSize(100).first().isEqualTo("line 151");
        assertThat(tail).endsWith("line 250");
        assertThat(ElasticsearchNode.tail(dir.resolve("missing"), 100)).contains("no ");
    }
}

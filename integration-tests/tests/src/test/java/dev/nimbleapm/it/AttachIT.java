package dev.nimbleapm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * The agent arrives late, in a JVM that is already making Elasticsearch requests - through the attach CLI, or
 * through {@code ApmAttacher.attach()} from the application itself. The client classes are loaded by then and are
 * retransformed; later requests are traced exactly as with {@code -javaagent}, earlier ones not at all, and the
 * application never sees an error.
 */
class AttachIT extends IntakeServerPerTest {

    private static final String CLI = "dev.nimbleapm.agent.attach.AttachCli";

    @TempDir
    Path temp;

    static Stream<Path> javaHomes() {
        return ItEnvironment.javaHomes().stream();
    }

    private static List<Path> appClasspath() {
        List<Path> classpath = new ArrayList<>(ItEnvironment.jars("apps/attach"));
        classpath.addAll(ItEnvironment.clientClasspath("rest-7.17.10"));
        return classpath;
    }

    private static RunningJvm cli(Path javaHome, String... args) {
        return ChildJvm.builder()
            .name("attach-cli")
            .javaHome(javaHome)
            .classpath(ItEnvironment.work().resolve("attach-cli/apm-agent-attach-cli.jar"))
            .mainClass(CLI)
            .args(args)
            .start();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaHomes")
    void theCliAttachesToARunningJvmByPid(Path javaHome) throws IOException {
        ElasticsearchNode es = EsNodes.node7();
        String index = "it-attach-cli-" + ItEnvironment.describe(javaHome).toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]", "-");
        Path stop = temp.resolve("stop");
        try (RunningJvm app = ChildJvm.builder()
            .name(index)
            .javaHome(javaHome)
            .classpath(appClasspath().toArray(new Path[0]))
            .mainClass("dev.nimbleapm.it.apps.attach.RunningServiceApp")
            .args(es.httpUrl(), index, stop.toString())
            .start()) {
            app.awaitOutput("iteration 5 ok", Duration.ofSeconds(60));
            int beforeAttach = lastIteration(app.stdout());

            RunningJvm attach = cli(javaHome, "--pid", String.valueOf(app.pid()), "--config",
                "server_url=" + apm.url(), "--config", "service_name=attached-by-cli", "--config",
                "api_request_time=1s");
            assertThat(attach.awaitExit(Duration.ofSeconds(60))).as(attach.stderr()).isZero();
            assertThat(attach.stdout()).contains("Attached the agent to pid " + app.pid());

            apm.awaitCondition(s -> s.transactions().size() >= 5 && s.spans().size() >= 5, Duration.ofSeconds(60));

            RunningJvm again = cli(javaHome, "--pid", String.valueOf(app.pid()));
            assertThat(again.awaitExit(Duration.ofSeconds(60))).isEqualTo(4);
            assertThat(again.stderr()).contains("already runs the agent");

            Files.createFile(stop);
            assertThat(app.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(app.stdout()).doesNotContain(" error ").contains("stopped");
            apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(20));

            assertThat(apm.metadata().get(0).at("/service/agent/activation_method").asText())
                .isEqualTo("apm-agent-attach-cli");
            assertThat(apm.metadata().get(0).at("/service/name").asText()).isEqualTo("attached-by-cli");
            assertTracedLikeWithJavaagent(beforeAttach, lastIteration(app.stdout()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaHomes")
    void anApplicationAttachesTheAgentFromMain(Path javaHome) {
        ElasticsearchNode es = EsNodes.node7();
        String index = "it-self-attach-" + ItEnvironment.describe(javaHome).toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]", "-");
        RunningJvm app = ChildJvm.builder()
            .name(index)
            .javaHome(javaHome)
            .classpath(appClasspath().toArray(new Path[0]))
            .mainClass("dev.nimbleapm.it.apps.attach.SelfAttachingApp")
            .args(es.httpUrl(), apm.url(), index)
            .start();
        assertThat(app.awaitExit(Duration.ofSeconds(120))).as(app.stderr()).isZero();
        assertThat(app.stdout()).doesNotContain(" error ").contains("attached", "iteration 8 ok");
        assertThat(app.stderr().lines().filter(l -> l.contains("attach() does nothing"))).hasSize(1);
        apm.awaitCondition(s -> s.transactions().size() >= 5, Duration.ofSeconds(30));
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(20));
        assertThat(apm.metadata().get(0).at("/service/agent/activation_method").asText())
            .isEqualTo("programmatic-self-attach");
        assertTracedLikeWithJavaagent(3, 8);
        assertThat(apm.transactions()).hasSize(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaHomes")
    void withoutTheAttachModuleTheApplicationRunsOnAfterOneLine(Path javaHome) {
        ElasticsearchNode es = EsNodes.node7();
        RunningJvm app = ChildJvm.builder()
            .name("self-attach-impossible")
            .javaHome(javaHome)
            // a runtime without jdk.attach, like a jlink-ed JRE
            .jvmArg("--limit-modules", "java.base,java.logging,java.naming,java.management,java.instrument")
            .classpath(appClasspath().toArray(new Path[0]))
            .mainClass("dev.nimbleapm.it.apps.attach.SelfAttachingApp")
            .args(es.httpUrl(), apm.url(), "it-no-attach")
            .start();
        assertThat(app.awaitExit(Duration.ofSeconds(120))).as(app.stderr()).isZero();
        assertThat(app.stdout()).contains("attached", "iteration 8 ok").doesNotContain(" error ");
        // one line says why; the app's second attach() call says, once, that it does nothing
        assertThat(app.stderr().lines().filter(l -> !l.isBlank())).containsExactly(
            "[nimble-apm] attach: the agent could not be attached, the application runs without it: "
                + "IllegalStateException: No compatible attachment provider is available",
            "[nimble-apm] attach: attach() was called before; it does nothing");
        apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(10));
        assertThat(apm.requests()).isEmpty();
    }

    /** Every request after attachment has its transaction and exactly one complete span; none before. */
    private void assertTracedLikeWithJavaagent(int lastBeforeAttach, int last) {
        assertThat(apm.schemaViolations()).isEmpty();
        List<JsonNode> transactions = apm.transactions();
        assertThat(transactions).isNotEmpty();
        for (JsonNode tx : transactions) {
            int iteration = tx.at("/context/tags/iteration").asInt();
            assertThat(iteration).isGreaterThan(lastBeforeAttach).isLessThanOrEqualTo(last);
            List<JsonNode> spans = apm.spans().stream()
                .filter(s -> s.get("transaction_id").asText().equals(tx.get("id").asText())).toList();
            assertThat(spans).as("spans of " + tx.get("name").asText()).hasSize(1);
            JsonNode span = spans.get(0);
            assertThat(span.get("parent_id").asText()).isEqualTo(tx.get("id").asText());
            assertThat(span.get("subtype").asText()).isEqualTo("elasticsearch");
            assertThat(span.get("outcome").asText()).isEqualTo("success");
            assertThat(span.at("/context/http/status_code").asInt()).isEqualTo(200);
            assertThat(span.at("/context/db/statement").asText()).isEqualTo("{\"query\":{\"match_all\":{}}}");
        }
        // once traced, every later iteration is traced: a contiguous run up to the end
        int first = transactions.stream().mapToInt(t -> t.at("/context/tags/iteration").asInt()).min().orElseThrow();
        assertThat(transactions).hasSize(last - first + 1);
    }

    private static int lastIteration(String stdout) {
        return stdout.lines().filter(l -> l.startsWith("iteration ") && l.contains(" ok "))
            .mapToInt(l -> Integer.parseInt(l.split(" ")[1])).max().orElse(0);
    }
}

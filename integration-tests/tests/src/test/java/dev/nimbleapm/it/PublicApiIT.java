package dev.nimbleapm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ChildJvm;
import dev.nimbleapm.agent.testkit.RunningJvm;
import dev.nimbleapm.agent.testkit.TraceTree;

/**
 * The public API ({@code co.elastic.apm:apm-agent-api}) on a real child JVM with {@code -javaagent:} the built jar:
 * everything the application records arrives at the intake server, linked and valid.
 */
class PublicApiIT extends IntakeServerPerTest {

    static Stream<Path> javaHomes() {
        return ItEnvironment.javaHomes().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("javaHomes")
    void everyEventOfThePublicApiArrivesLinkedAndValid(Path javaHome) {
        RunningJvm app = ChildJvm.builder()
            .name("public-api-" + ItEnvironment.describe(javaHome))
            .javaHome(javaHome)
            .javaAgent(ItEnvironment.agentJar(), null)
            .systemProperty("elastic.apm.server_url", apm.url())
            .systemProperty("elastic.apm.service_name", "public-api-app")
            .systemProperty("elastic.apm.environment", "test")
            .systemProperty("elastic.apm.global_labels", "team=apm")
            .classpath(ItEnvironment.jars("apps/api").toArray(new Path[0]))
            .mainClass("dev.nimbleapm.it.apps.PublicApiApp")
            .start();
        assertThat(app.awaitExit(Duration.ofSeconds(60))).as(app.stderr()).isZero();
        apm.awaitCondition(s -> s.transactions().size() >= 4 && s.spans().size() >= 3 && s.errors().size() >= 2,
            Duration.ofSeconds(20));
        apm.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));

        assertThat(apm.schemaViolations()).isEmpty();
        assertThat(app.stderr()).contains("Nimble APM agent").doesNotContain("Exception");
        String stdout = app.stdout();

        JsonNode metadata = apm.metadata().get(0);
        assertThat(metadata.at("/service/name").asText()).isEqualTo("public-api-app");
        assertThat(metadata.at("/service/environment").asText()).isEqualTo("test");
        assertThat(metadata.at("/service/agent/name").asText()).isEqualTo("java");
        assertThat(metadata.at("/service/agent/activation_method").asText()).isEqualTo("javaagent-flag");
        assertThat(metadata.at("/service/language/name").asText()).isEqualTo("Java");
        assertThat(metadata.at("/labels/team").asText()).isEqualTo("apm");
        assertThat(metadata.at("/process/pid").asLong()).isEqualTo(app.pid());

        Map<String, JsonNode> tx = byName(apm.transactions());
        Map<String, JsonNode> spans = byName(apm.spans());
        assertThat(tx).containsOnlyKeys("checkout", "next", "unsampled job", "continued");
        assertThat(tx.get("next").at("/context/tags/late").isMissingNode()).as("stale wrapper ignored").isTrue();
        assertThat(tx.get("checkout").at("/context/tags/late").isMissingNode()).isTrue();
        assertThat(spans).containsOnlyKeys("load cart", "SELECT cart", "validate cart");

        JsonNode checkout = tx.get("checkout");
        assertThat(stdout).contains("sampled-trace " + checkout.get("trace_id").asText() + " "
            + checkout.get("id").asText());
        assertThat(checkout.get("type").asText()).isEqualTo("request");
        assertThat(checkout.get("result").asText()).isEqualTo("HTTP 2xx");
        assertThat(checkout.get("sampled").asBoolean()).isTrue();
        assertThat(checkout.at("/span_count/started").asInt()).isEqualTo(3);
        assertThat(checkout.at("/context/tags/customer").asText()).isEqualTo("acme");
        assertThat(checkout.at("/context/tags/items").asInt()).isEqualTo(3);
        assertThat(checkout.at("/context/tags/vip").asBoolean()).isTrue();
        assertThat(checkout.at("/context/user/id").asText()).isEqualTo("42");
        assertThat(checkout.at("/context/user/email").asText()).isEqualTo("jane@example.com");

        JsonNode loadCart = spans.get("load cart");
        JsonNode select = spans.get("SELECT cart");
        JsonNode validate = spans.get("validate cart");
        assertThat(loadCart.get("parent_id").asText()).isEqualTo(checkout.get("id").asText());
        assertThat(select.get("parent_id").asText()).isEqualTo(loadCart.get("id").asText());
        assertThat(validate.get("parent_id").asText()).isEqualTo(loadCart.get("id").asText());
        for (JsonNode span : List.of(loadCart, select, validate)) {
            assertThat(span.get("trace_id").asText()).isEqualTo(checkout.get("trace_id").asText());
            assertThat(span.get("transaction_id").asText()).isEqualTo(checkout.get("id").asText());
            assertThat(span.get("timestamp").asLong()).isGreaterThanOrEqualTo(checkout.get("timestamp").asLong());
        }
        assertThat(select.get("type").asText()).isEqualTo("db");
        assertThat(select.get("subtype").asText()).isEqualTo("postgresql");
        assertThat(select.get("action").asText()).isEqualTo("query");
        assertThat(select.at("/context/tags/rows").asInt()).isEqualTo(7);
        assertThat(select.get("duration").asDouble()).isGreaterThanOrEqualTo(2.0);
        assertThat(select.get("outcome").asText()).isEqualTo("success");
        assertThat(validate.get("outcome").asText()).isEqualTo("failure");
        assertThat(loadCart.get("duration").asDouble()).isGreaterThanOrEqualTo(select.get("duration").asDouble());
        assertThat(checkout.get("duration").asDouble()).isGreaterThanOrEqualTo(loadCart.get("duration").asDouble());
        assertThat(stdout).contains("outgoing-traceparent 00-" + checkout.get("trace_id").asText() + "-"
            + loadCart.get("id").asText() + "-01");

        Map<String, JsonNode> errors = apm.errors().stream()
            .collect(Collectors.toMap(e -> e.at("/exception/type").asText(), Function.identity()));
        JsonNode cartEmpty = errors.get("java.lang.IllegalStateException");
        assertThat(cartEmpty.at("/exception/message").asText()).isEqualTo("cart is empty");
        assertThat(cartEmpty.get("parent_id").asText()).isEqualTo(validate.get("id").asText());
        assertThat(cartEmpty.get("transaction_id").asText()).isEqualTo(checkout.get("id").asText());
        assertThat(cartEmpty.at("/transaction/name").asText()).isEqualTo("checkout");
        assertThat(cartEmpty.get("culprit").asText()).contains("PublicApiApp.main");
        JsonNode topLevel = errors.get("java.lang.IllegalArgumentException");
        assertThat(topLevel.get("parent_id").asText()).isEqualTo(checkout.get("id").asText());

        JsonNode unsampled = tx.get("unsampled job");
        assertThat(unsampled.get("sampled").asBoolean()).isFalse();
        assertThat(unsampled.get("trace_id").asText()).isEqualTo("11111111111111111111111111111111");
        assertThat(unsampled.get("parent_id").asText()).isEqualTo("2222222222222222");
        assertThat(unsampled.at("/span_count/started").asInt()).isZero();
        assertThat(stdout).contains("unsampled-sampled false");

        JsonNode continued = tx.get("continued");
        assertThat(continued.get("trace_id").asText()).isEqualTo("33333333333333333333333333333333");
        assertThat(continued.get("parent_id").asText()).isEqualTo("4444444444444444");
        assertThat(continued.get("sample_rate").asDouble()).isEqualTo(0.25);

        assertThat(TraceTree.of(apm).render()).contains("checkout").contains("SELECT cart");
    }

    private static Map<String, JsonNode> byName(List<JsonNode> events) {
        return events.stream().collect(Collectors.toMap(e -> e.get("name").asText(), Function.identity()));
    }
}

package dev.nimbleapm.it;

import static dev.nimbleapm.it.ReliabilityApps.LOAD_APP;
import static dev.nimbleapm.it.ReliabilityApps.RECORDING_TOGGLE_APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.Await;
import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.IntakeRequest;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * Security on a real child JVM: credentials (secret_token, api_key, user and password in server_url) are sent as
 * the intake protocol defines and appear in no log line - at DEBUG - and no event; body capture switched off records
 * no statement; {@code recording=false}, written to the configuration file while the application runs, stops
 * recording and {@code true} resumes it.
 */
class SecurityIT extends IntakeServerPerTest {

    private static final String TOKEN = "t0ken-never-logged";
    private static final String API_KEY = "ap1-key-never-logged";
    private static final String URL_PASSWORD = "url-pa55-never-logged";

    @TempDir
    Path temp;

    @Test
    void credentialsAreSentAsTheProtocolDefinesAndNeverLoggedOrReportedAndBodyCaptureCanBeSwitchedOff() {
        ElasticsearchNode es = EsNodes.node7();
        String serverUrl = apm.url().replace("://", "://apm-user:" + URL_PASSWORD + "@");
        RunningJvm run = ReliabilityApps.withClient("secrets", LOAD_APP, apm)
            .systemProperty("elastic.apm.server_url", serverUrl)
            .systemProperty("elastic.apm.secret_token", TOKEN)
            .systemProperty("elastic.apm.api_key", API_KEY)
            .systemProperty("elastic.apm.elasticsearch_capture_body_urls", "")
            .args(es.httpUrl(), "it-secrets", "2", "16", "1", "-")
            .start();
        assertThat(run.awaitExit(Duration.ofSeconds(120))).as(run.describe()).isZero();
        apm.awaitCondition(s -> s.transactions().size() >= 16 && s.spans().size() >= 16, Duration.ofSeconds(30));

        assertThat(apm.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.header("Authorization"))
            .as("api_key takes precedence").isEqualTo("ApiKey " + API_KEY));
        List<JsonNode> searches = apm.spans().stream()
            .filter(s -> s.get("name").asText().endsWith("/_search")).toList();
        assertThat(searches).hasSize(8).allSatisfy(s -> assertThat(s.at("/context/db/statement").isMissingNode())
            .as("no statement with elasticsearch_capture_body_urls empty").isTrue());

        String output = run.stdout() + run.stderr();
        assertThat(run.stderr()).contains("DEBUG").contains("reporting to [" + apm.url() + "]");
        String events = apm.metadata().toString() + apm.transactions() + apm.spans() + apm.errors();
        for (String secret : List.of(TOKEN, API_KEY, URL_PASSWORD, "apm-user:")) {
            assertThat(output).doesNotContain(secret);
            assertThat(events).doesNotContain(secret);
        }
        ReliabilityApps.assertHealthyExit(run.stderr());
    }

    private static final Pattern ITERATION = Pattern.compile("^iteration (\\d+) recorded=(true|false) status=(\\S+)$",
        Pattern.MULTILINE);

    /** The iterations the application printed as recorded ({@code true}) or not, in order. */
    private static Set<Integer> iterations(String stdout, boolean recorded) {
        Set<Integer> result = new TreeSet<>();
        Matcher m = ITERATION.matcher(stdout);
        while (m.find()) {
            if (Boolean.parseBoolean(m.group(2)) == recorded) {
                result.add(Integer.parseInt(m.group(1)));
            }
        }
        return result;
    }

    private static int lastIteration(String stdout) {
        int last = 0;
        Matcher m = ITERATION.matcher(stdout);
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    /** Waits until the application has printed {@code count} more iterations after {@code after}, all so recorded. */
    private static void awaitIterations(RunningJvm run, int after, int count, boolean recorded) {
        Await.until(count + " iterations after " + after + " with recorded=" + recorded, () -> iterations(
                run.stdout(), recorded).stream().filter(n -> n > after).count() >= count, Duration.ofSeconds(60),
            () -> run.describe());
    }

    @Test
    void recordingFalseInTheConfigurationFileStopsRecordingAtRunTimeAndTrueResumesIt() throws IOException {
        ElasticsearchNode es = EsNodes.node7();
        Path config = temp.resolve("elasticapm.properties");
        Files.writeString(config, "recording=true\n");
        Path stop = temp.resolve("stop");
        try (RunningJvm run = ReliabilityApps.withClient("recording-toggle", RECORDING_TOGGLE_APP, apm)
            .systemProperty("elastic.apm.config_file", config.toString())
            .args(es.httpUrl(), stop.toString())
            .start()) {
            awaitIterations(run, 0, 5, true);

            Files.writeString(config, "recording=false\n");
            run.awaitOutput("Configuration option 'recording' is now 'false'", Duration.ofSeconds(30));
            int switchedOff = lastIteration(run.stdout());
            awaitIterations(run, switchedOff, 10, false);

            Files.writeString(config, "# back on\nrecording=true\n");
            run.awaitOutput("Configuration option 'recording' is now 'true'", Duration.ofSeconds(30));
            int switchedOn = lastIteration(run.stdout());
            awaitIterations(run, switchedOn, 5, true);
            Files.createFile(stop);
            assertThat(run.awaitExit(Duration.ofSeconds(60))).as(run.describe()).isZero();

            Set<Integer> recorded = iterations(run.stdout(), true);
            Set<Integer> notRecorded = iterations(run.stdout(), false);
            assertThat(notRecorded).as("iterations while recording=false").hasSizeGreaterThanOrEqualTo(10);
            assertThat(recorded.stream().filter(n -> n > switchedOn).count()).isGreaterThanOrEqualTo(5);
            apm.awaitCondition(s -> s.transactions().size() >= recorded.size(), Duration.ofSeconds(30));
            apm.awaitQuiet(Duration.ofMillis(500), Duration.ofSeconds(10));

            Set<Integer> received = new TreeSet<>();
            int withoutSpan = 0;
            for (JsonNode tx : apm.transactions()) {
                received.add(tx.at("/context/tags/iteration").asInt());
                int spans = ReliabilityApps.esSpansOf(apm, tx).size();
                assertThat(spans).isLessThanOrEqualTo(1);
                withoutSpan += spans == 0 ? 1 : 0;
            }
            assertThat(received).as("exactly the iterations recorded, nothing while recording=false")
                .isEqualTo(recorded);
            // a request that began just before recording went off may end without its span
            assertThat(withoutSpan).isLessThanOrEqualTo(1);
            assertThat(apm.spans()).hasSizeGreaterThanOrEqualTo(recorded.size() - 1);
            assertThat(apm.requests().stream().mapToInt(IntakeRequest::events).sum())
                .isEqualTo(apm.transactions().size() + apm.spans().size());
            assertThat(apm.schemaViolations()).isEmpty();
            ReliabilityApps.assertHealthyExit(run.stderr());
        }
    }
}

package dev.nimbleapm.it;

import static dev.nimbleapm.it.ReliabilityApps.LOAD_APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.nimbleapm.agent.testkit.ElasticsearchNode;
import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * The APM Server is away when the application starts, and comes back; the JVM exits with the server up, down or
 * stalled. The application never notices: every request succeeds, the agent warns once, delivers what is recorded
 * once it has reconnected, and never holds up the exit beyond {@code shutdown_flush_timeout}.
 */
class ApmServerOutageIT extends IntakeServerPerTest {

    @TempDir
    Path temp;

    private static List<JsonNode> ofPhase(List<JsonNode> transactions, int phase) {
        return transactions.stream().filter(t -> t.at("/context/tags/phase").asInt() == phase).toList();
    }

    @Test
    void anAbsentServerCostsTheApplicationNothingAndWhatIsRecordedAfterItsReturnArrives() throws IOException {
        ElasticsearchNode es = EsNodes.node7();
        int perPhase = 400;
        apm.refuseConnections(true);
        RunningJvm run = ReliabilityApps.withClient("outage", LOAD_APP, apm)
            .args(es.httpUrl(), "it-outage", "8", String.valueOf(perPhase), "3", temp.toString())
            .start();
        try (run) {
            // phase 1 (warm-up) and phase 2 (measured): the server is away
            run.awaitOutput("WAITING go-2", Duration.ofSeconds(120));
            Files.createFile(temp.resolve("go-2"));
            run.awaitOutput("WAITING go-3", Duration.ofSeconds(120));
            assertThat(apm.requests()).isEmpty();
            apm.refuseConnections(false);
            long back = System.nanoTime();
            // what was queued during the outage is sent at the agent's next attempt (within its backoff)
            apm.awaitCondition(s -> !s.metadata().isEmpty(), Duration.ofSeconds(60));
            long reconnectMillis = (System.nanoTime() - back) / 1_000_000;

            // phase 3: the server is back, the agent has reconnected
            Files.createFile(temp.resolve("go-3"));
            run.awaitOutput("WAITING stop", Duration.ofSeconds(120));
            apm.awaitCondition(s -> ofPhase(s.transactions(), 3).size() == perPhase, Duration.ofSeconds(60));
            Files.createFile(temp.resolve("stop"));
            assertThat(run.awaitExit(Duration.ofSeconds(60))).as(run.describe()).isZero();

            Map<String, String> down = ReliabilityApps.line(run.stdout(), "PHASE 2 ");
            Map<String, String> up = ReliabilityApps.line(run.stdout(), "PHASE 3 ");
            for (int phase = 1; phase <= 3; phase++) {
                assertThat(ReliabilityApps.line(run.stdout(), "PHASE " + phase + " ").get("failed"))
                    .as(run.stdout()).isEqualTo("0");
            }
            apm.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(20));
            for (JsonNode tx : ofPhase(apm.transactions(), 3)) {
                assertThat(ReliabilityApps.esSpansOf(apm, tx)).hasSize(1);
            }
            int deliveredFromOutage = ofPhase(apm.transactions(), 1).size()
                + ofPhase(apm.transactions(), 2).size();
            assertThat(apm.schemaViolations()).isEmpty();

            String stderr = run.stderr();
            List<String> warnings = ReliabilityApps.agentWarnings(stderr);
            assertThat(warnings).as("one warning, not one per event").hasSize(1);
            assertThat(warnings.get(0)).contains("Could not send events to the APM Server at " + apm.url());
            ReliabilityApps.assertHealthyExit(stderr);
            System.out.println("[figures] outage: application with the server down (phase 2, after a warm-up "
                + "phase) " + down + "; with the server up (phase 3) " + up + "; agent reconnected "
                + reconnectMillis + " ms after the server's return; " + deliveredFromOutage + " of "
                + (2 * perPhase) + " outage transactions delivered from the queue; all " + perPhase
                + " phase-3 transactions and spans delivered; agent: " + ReliabilityApps.exitLine(stderr));
        }
    }

    private RunningJvm shortApp(String name) {
        return ReliabilityApps.withClient(name, LOAD_APP, apm)
            .args(EsNodes.node7().httpUrl(), "it-" + name, "2", "20", "1", "-")
            .start();
    }

    /** Milliseconds from the end of the application's main to the end of its process. */
    private static long exitDelayMillis(RunningJvm run) {
        long exited = System.currentTimeMillis();
        return exited - Long.parseLong(ReliabilityApps.line(run.stdout(), "MAIN END ").get("epochMillis"));
    }

    @Test
    void withTheServerUpEverythingRecordedArrivesBeforeTheJvmExits() {
        RunningJvm run = shortApp("exit-server-up");
        assertThat(run.awaitExit(Duration.ofSeconds(60))).as(run.describe()).isZero();
        long delay = exitDelayMillis(run);
        // no waiting: the agent's shutdown hook delivered everything before the process ended
        assertThat(apm.transactions()).hasSize(20);
        assertThat(apm.spans()).hasSize(20);
        assertThat(apm.requests()).last().satisfies(r -> assertThat(r.status()).isEqualTo(202));
        ReliabilityApps.assertHealthyExit(run.stderr());
        System.out.println("[figures] exit with the server up: " + delay + " ms after main returned; "
            + ReliabilityApps.exitLine(run.stderr()));
    }

    @Test
    void withTheServerDownTheJvmStillExitsPromptly() {
        apm.refuseConnections(true);
        RunningJvm run = shortApp("exit-server-down");
        assertThat(run.awaitExit(Duration.ofSeconds(30))).as(run.describe()).isZero();
        long delay = exitDelayMillis(run);
        assertThat(apm.requests()).isEmpty();
        ReliabilityApps.assertHealthyExit(run.stderr());
        System.out.println("[figures] exit with the server down (refusing): " + delay + " ms after main returned");
    }

    @Test
    void withTheServerStalledTheJvmStillExitsPromptly() {
        apm.stallAfterHeaders(true);
        RunningJvm run = shortApp("exit-server-stalled");
        assertThat(run.awaitExit(Duration.ofSeconds(30))).as(run.describe()).isZero();
        long delay = exitDelayMillis(run);
        assertThat(apm.transactions()).isEmpty();
        System.out.println("[figures] exit with the server stalled (accepts, never reads): " + delay
            + " ms after main returned");
    }
}

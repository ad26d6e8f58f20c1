package dev.nimbleapm.agent.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.nimbleapm.agent.core.logging.LogLevel;
import dev.nimbleapm.agent.testkit.Await;
import dev.nimbleapm.agent.testkit.MockApmServer;

/**
 * TLS towards the APM Server (verification on by default, opt-out, a custom CA file) and credentials: sent as the
 * intake protocol defines, never written to the agent's log - not even at DEBUG, not even when the server refuses
 * them.
 */
class IntakeReporterSecurityTest {

    private static final String TOKEN = "t0ken-that-must-never-be-logged";
    private static final String API_KEY = "ap1-key-that-must-never-be-logged";
    private static final String URL_PASSWORD = "pa55-in-the-url";

    private MockApmServer apm;
    private ReporterHarness harness;

    @BeforeEach
    void start() {
        harness = new ReporterHarness(LogLevel.DEBUG);
    }

    @AfterEach
    void stop() {
        try {
            harness.close();
        } finally {
            if (apm != null) {
                apm.close();
            }
        }
    }

    @Test
    void aSelfSignedCertificateIsRefusedByDefaultWithOneWarningAndNothingSent() {
        apm = MockApmServer.startHttps();
        ReporterHarness r = harness.start(apm.url(), Map.of());
        r.record("not over unverified TLS", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        r.record("not over unverified TLS either", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        assertThat(r.stats().failedRequests()).isEqualTo(2);
        assertThat(r.warnings("Could not send events")).singleElement().asString()
            .contains(apm.url()).contains("SSLHandshakeException");
        assertThat(r.log().lines().filter(l -> l.contains("[nimble-apm] WARN"))).hasSize(1);
        assertThat(apm.requests()).isEmpty();
        assertThat(apm.metadata()).isEmpty();
    }

    @Test
    void verifyServerCertFalseSendsToASelfSignedServer() {
        apm = MockApmServer.startHttps();
        ReporterHarness r = harness.start(apm.url(), Map.of("verify_server_cert", "false"));
        r.record("over TLS, unverified", 1);
        assertThat(r.reporter.flush(10_000)).isTrue();
        assertThat(apm.transactions()).hasSize(1);
        assertThat(apm.spans()).hasSize(1);
        assertThat(apm.schemaViolations()).isEmpty();
    }

    @Test
    void serverCaCertFileMakesTheCertificateTrustedWithVerificationOn() {
        apm = MockApmServer.startHttps();
        ReporterHarness r = harness.start(apm.url(), Map.of("server_ca_cert_file", apm.certificatePem().toString()));
        r.record("over verified TLS", 1);
        assertThat(r.reporter.flush(10_000)).isTrue();
        assertThat(apm.transactions()).hasSize(1);
        assertThat(r.log()).doesNotContain("[nimble-apm] WARN");
    }

    @Test
    void theSecretTokenIsSentAsBearerAndNeverLoggedEvenWhenRefused() {
        apm = MockApmServer.start();
        apm.respondWith(401, "{\"error\":\"authentication failed: invalid secret token\"}");
        ReporterHarness r = harness.start(apm.url(), Map.of("secret_token", TOKEN));
        r.record("refused", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        assertThat(apm.requests().get(0).header("Authorization")).isEqualTo("Bearer " + TOKEN);
        // (the JDK's HttpURLConnection gives no access to the body of a 401 answer to a streamed request)
        assertThat(r.warnings("Could not send events")).singleElement().asString().contains("401")
            .contains("secret_token");
        assertThat(r.log()).doesNotContain(TOKEN);

        apm.reset();
        r.record("accepted", 1);
        assertThat(r.reporter.flush(10_000)).isTrue();
        assertThat(apm.transactions()).hasSize(1);
        assertThat(r.log()).doesNotContain(TOKEN);
        assertThat(apm.metadata().toString()).doesNotContain(TOKEN);
    }

    @Test
    void theApiKeyIsSentAsApiKeyAndNeverLogged() {
        apm = MockApmServer.start();
        apm.respondWith(403, "{\"error\":\"unauthorized: API key has been invalidated\"}");
        ReporterHarness r = harness.start(apm.url(), Map.of("api_key", API_KEY, "secret_token", TOKEN));
        r.record("refused", 0);
        assertThat(r.reporter.flush(10_000)).isFalse();
        assertThat(apm.requests().get(0).header("Authorization")).isEqualTo("ApiKey " + API_KEY);
        assertThat(r.warnings("Could not send events")).singleElement().asString().contains("403")
            .contains("api_key").contains("API key has been invalidated");
        assertThat(r.log()).doesNotContain(API_KEY).doesNotContain(TOKEN);
    }

    @Test
    void credentialsInTheServerUrlAreSentAsBasicAuthAndNeverLoggedOrReported() {
        apm = MockApmServer.start();
        String withCredentials = apm.url().replace("://", "://apm-user:" + URL_PASSWORD + "@");
        ReporterHarness r = harness.start(withCredentials, Map.of());
        r.record("with url credentials", 1);
        assertThat(r.reporter.flush(10_000)).isTrue();
        assertThat(apm.requests().get(0).header("Authorization")).isEqualTo("Basic "
            + Base64.getEncoder().encodeToString(("apm-user:" + URL_PASSWORD).getBytes(StandardCharsets.UTF_8)));

        apm.refuseConnections(true);
        r.record("while down", 1);
        assertThat(r.reporter.flush(10_000)).isFalse();
        Await.until("a failure logged", () -> !r.warnings("Could not send events").isEmpty(), Duration.ofSeconds(10));
        assertThat(r.warnings("Could not send events").get(0)).contains(apm.url());
        assertThat(r.log()).as("logged at DEBUG").contains("DEBUG IntakeReporter - Cause")
            .doesNotContain(URL_PASSWORD).doesNotContain("apm-user:");
        assertThat(apm.metadata().toString() + apm.transactions() + apm.spans()).doesNotContain(URL_PASSWORD);
    }
}

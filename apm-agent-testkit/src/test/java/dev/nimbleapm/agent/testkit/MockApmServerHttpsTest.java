package dev.nimbleapm.agent.testkit;

import static dev.nimbleapm.agent.testkit.IntakeSamples.METADATA;
import static dev.nimbleapm.agent.testkit.IntakeSamples.TRANSACTION;
import static dev.nimbleapm.agent.testkit.IntakeSamples.ndjson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link MockApmServer#startHttps()}: TLS with a self-signed certificate that only its PEM file makes trusted. */
class MockApmServerHttpsTest {

    private MockApmServer server;

    @BeforeEach
    void start() {
        server = MockApmServer.startHttps();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(HttpClient client) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + "/intake/v2/events"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson(METADATA, TRANSACTION))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHttpsToAClientThatTrustsTheExportedCertificate() throws Exception {
        assertThat(server.url()).isEqualTo("https://127.0.0.1:" + server.port());
        assertThat(Files.readString(server.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----");

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(server.certificatePem())) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
            assertThat(certificate.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                    .contains((Object) "127.0.0.1", (Object) "localhost");
            trust.setCertificateEntry("mock", certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1).build();

        assertThat(post(client).statusCode()).isEqualTo(202);
        assertThat(server.transactions()).hasSize(1);
        assertThat(server.schemaViolations()).isEmpty();
    }

    @Test
    void aClientWithTheDefaultTrustStoreRefusesTheCertificate() {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> post(client)).isInstanceOf(SSLHandshakeException.class);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void refusingAndAcceptingAgainKeepsTls() throws Exception {
        server.refuseConnections(true);
        server.refuseConnections(false);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> post(client)).isInstanceOf(SSLHandshakeException.class);
    }
}

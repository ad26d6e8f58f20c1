package dev.nimbleapm.agent.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for {@code 127.0.0.1} and {@code localhost}, made once per JVM with the JDK's
 * {@code keytool}: a PKCS#12 key store for the server side and the certificate as PEM, for a client to trust.
 *
 * <p>Exists so that agent tests can speak TLS to {@link MockApmServer#startHttps()} without shipping key material:
 * a certificate that no trust store knows, to prove that verification is on by default, and its PEM file, to prove
 * that a configured CA file makes it trusted.
 */
final class SelfSignedCertificate {

    private static final String ALIAS = "mock-apm-server";
    private static final char[] PASSWORD = "mock-apm-password".toCharArray();
    private static SelfSignedCertificate instance; // guarded by the class

    private final Path keyStore;
    private final Path pem;
    private final SSLContext serverContext;

    private SelfSignedCertificate(Path keyStore, Path pem) {
        this.keyStore = keyStore;
        this.pem = pem;
        this.serverContext = loadServerContext(keyStore);
    }

    static synchronized SelfSignedCertificate get() {
        if (instance == null) {
            instance = generate();
        }
        return instance;
    }

    Path pem() {
        return pem;
    }

    Path keyStore() {
        return keyStore;
    }

    SSLContext serverContext() {
        return serverContext;
    }

    private static SelfSignedCertificate generate() {
        try {
            Path dir = Files.createTempDirectory("mock-apm-tls");
            dir.toFile().deleteOnExit();
            Path store = dir.resolve("server.p12");
            Path pem = dir.resolve("server.pem");
            keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                    "-dname", "CN=localhost, O=Nimble APM tests", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
                    "-keypass", new String(PASSWORD), "-noprompt");
            store.toFile().deleteOnExit();
            keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", new String(PASSWORD), "-file", pem.toString());
            pem.toFile().deleteOnExit();
            return new SelfSignedCertificate(store, pem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a self-signed certificate", e);
        }
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool failed (" + process.exitValue() + "): " + command + "\n" + output);
        }
    }

    private static SSLContext loadServerContext(Path store) {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, PASSWORD);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + store, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot use " + store, e);
        }
    }
}

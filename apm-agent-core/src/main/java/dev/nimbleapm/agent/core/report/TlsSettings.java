package dev.nimbleapm.agent.core.report;

import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * How the reporter trusts an HTTPS APM Server: the JVM's default trust store (verification on, the default), a CA
 * or certificate from {@code server_ca_cert_file}, or no verification at all ({@code verify_server_cert=false}).
 * Applied per connection, never to the JVM's global defaults, so the application's own TLS is unaffected.
 */
final class TlsSettings {

    private static final AgentLogger logger = AgentLogger.getLogger(TlsSettings.class);

    private final SSLSocketFactory socketFactory;
    private final HostnameVerifier hostnameVerifier;

    private TlsSettings(SSLSocketFactory socketFactory, HostnameVerifier hostnameVerifier) {
        this.socketFactory = socketFactory;
        this.hostnameVerifier = hostnameVerifier;
    }

    static TlsSettings create(boolean verifyServerCert, String caCertFile) {
        try {
            if (!verifyServerCert) {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[]{new TrustAll()}, null);
                return new TlsSettings(context.getSocketFactory(), new HostnameVerifier() {
                    @Override
                    public boolean verify(String hostname, SSLSession session) {
                        return true;
                    }
                });
            }
            if (caCertFile != null) {
                KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
                trustStore.load(null, null);
                InputStream in = new FileInputStream(caCertFile);
                try {
                    Collection<? extends Certificate> certificates =
                        CertificateFactory.getInstance("X.509").generateCertificates(in);
                    int i = 0;
                    for (Certificate certificate : certificates) {
                        trustStore.setCertificateEntry("apm-server-" + i++, certificate);
                    }
                    if (i == 0) {
                        throw new IllegalArgumentException("no certificate in the file");
                    }
                } finally {
                    in.close();
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trustStore);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                return new TlsSettings(context.getSocketFactory(), null);
            }
        } catch (Exception e) {
            logger.warn("TLS set-up for the APM Server failed (server_ca_cert_file '{}'): {}; using the JVM's default "
                + "trust store", caCertFile, e.toString());
        }
        return new TlsSettings(null, null);
    }

    void apply(HttpsURLConnection connection) {
        if (socketFactory != null) {
            connection.setSSLSocketFactory(socketFactory);
        }
        if (hostnameVerifier != null) {
            connection.setHostnameVerifier(hostnameVerifier);
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package dev.nimbleapm.agent.core;

import java.io.InputStream;
import java.util.Properties;

/** The agent's version, written into a resource at build time. */
public final class AgentVersion {

    private static final String VERSION = read();

    private AgentVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String read() {
        try {
            InputStream in = AgentVersion.class.getResourceAsStream("agent-version.properties");
            if (in == null) {
                return "unknown";
            }
            try {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            } finally {
                in.close();
            }
        } catch (Exception e) {
            return "unknown";
        }
    }
}

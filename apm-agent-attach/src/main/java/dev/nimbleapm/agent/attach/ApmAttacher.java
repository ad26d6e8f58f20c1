package dev.nimbleapm.agent.attach;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Starts the agent in the running JVM, for applications whose command line cannot be changed: call
 * {@code ApmAttacher.attach()} first thing in {@code main}. The agent jar is embedded in this artifact.
 *
 * <p>Configuration: the usual sources ({@code elasticapm.properties} next to the agent or {@code config_file},
 * {@code -Delastic.apm.*}, {@code ELASTIC_APM_*}) take precedence over what is passed here, which takes precedence
 * over an {@code elasticapm.properties} at the root of the class path, which takes precedence over the defaults.
 *
 * <p>Never throws into the caller: if attaching is impossible (a JRE without the attach mechanism, a JVM that
 * forbids it), one line says why on standard error and the application runs on without the agent. A second call,
 * or a call in a JVM that already runs the agent, does nothing and says so once. On JDK 9+, where a JVM may not
 * attach to itself unless {@code -Djdk.attach.allowAttachSelf=true}, a short-lived helper JVM does the attaching.
 */
public final class ApmAttacher {

    private static final AtomicBoolean ATTEMPTED = new AtomicBoolean();
    private static final AtomicBoolean REPEAT_NOTICED = new AtomicBoolean();
    static final String ACTIVATION_METHOD = "programmatic-self-attach";

    private ApmAttacher() {
    }

    /** Attaches with the usual configuration sources (and {@code elasticapm.properties} on the class path). */
    public static void attach() {
        attach(Collections.<String, String>emptyMap());
    }

    /** Attaches with the options of a properties file (plain keys, as in {@code elasticapm.properties}). */
    public static void attach(String propertiesFile) {
        Map<String, String> configuration;
        try {
            configuration = read(new FileInputStream(propertiesFile));
        } catch (IOException e) {
            notice("cannot read the configuration file " + propertiesFile + " (" + e.getMessage() + "); attaching "
                + "without it");
            configuration = Collections.emptyMap();
        }
        attach(configuration);
    }

    /** Attaches with these options (canonical keys such as {@code server_url}). */
    public static void attach(Map<String, String> configuration) {
        try {
            if (!ATTEMPTED.compareAndSet(false, true) || AgentPresence.inThisJvm()) {
                if (REPEAT_NOTICED.compareAndSet(false, true)) {
                    String active = System.getProperty(AgentPresence.PROPERTY);
                    notice(active != null ? "the agent already runs in this JVM (" + active + "); attach() does "
                        + "nothing" : "attach() was called before; it does nothing");
                }
                return;
            }
            Map<String, String> merged = new LinkedHashMap<String, String>(classpathProperties());
            merged.putAll(configuration);
            File agent = EmbeddedAgent.extract();
            ByteBuddyAgent.attach(agent, currentPid(), AgentArguments.encode(ACTIVATION_METHOD, merged));
        } catch (Throwable t) {
            notice("the agent could not be attached, the application runs without it: " + describe(t));
        }
    }

    private static Map<String, String> classpathProperties() throws IOException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        InputStream in = (loader != null ? loader : ApmAttacher.class.getClassLoader())
            .getResourceAsStream("elasticapm.properties");
        return in == null ? Collections.<String, String>emptyMap() : read(in);
    }

    private static Map<String, String> read(InputStream in) throws IOException {
        try {
            Properties properties = new Properties();
            properties.load(in);
            Map<String, String> map = new LinkedHashMap<String, String>();
            for (String key : properties.stringPropertyNames()) {
                map.put(key, properties.getProperty(key));
            }
            return map;
        } finally {
            in.close();
        }
    }

    static String currentPid() {
        try {
            Class<?> handle = Class.forName("java.lang.ProcessHandle");
            Object current = handle.getMethod("current").invoke(null);
            return String.valueOf(handle.getMethod("pid").invoke(current));
        } catch (Exception java8) {
            String name = ManagementFactory.getRuntimeMXBean().getName();
            return name.substring(0, name.indexOf('@'));
        }
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message != null ? ": " + message : "")
            + (root != t ? " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : "");
    }

    /** The attacher runs before any agent logger exists: its rare notices are single lines on standard error. */
    static void notice(String message) {
        System.err.println("[nimble-apm] attach: " + message);
    }
}

package dev.nimbleapm.agent.sdk;

import java.io.File;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import net.bytebuddy.dynamic.ClassFileLocator;

import dev.nimbleapm.agent.core.AgentVersion;
import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.ConfigLoader;
import dev.nimbleapm.agent.core.config.ConfigOption;
import dev.nimbleapm.agent.core.config.ConfigReloader;
import dev.nimbleapm.agent.core.config.ConfigSource;
import dev.nimbleapm.agent.core.config.ConfigSources;
import dev.nimbleapm.agent.core.config.CoreOptions;
import dev.nimbleapm.agent.core.config.MapConfigSource;
import dev.nimbleapm.agent.core.config.ValueParsers;
import dev.nimbleapm.agent.core.logging.AgentLogger;
import dev.nimbleapm.agent.core.logging.LogLevel;
import dev.nimbleapm.agent.core.report.IntakeReporter;
import dev.nimbleapm.agent.core.tracer.Tracer;

/**
 * Starts the agent once per JVM: configuration, the agent's logger, the reporter and tracer, instrumentation, and a
 * shutdown hook that delivers what was recorded within {@code shutdown_flush_timeout}. Called by the agent jar's
 * {@code premain}/{@code agentmain} through the bootstrap class path; a second call (double attach) does nothing
 * and says so once. Any failure is logged in one line and leaves the application running untouched.
 */
public final class AgentStarter {

    private static final AgentLogger logger = AgentLogger.getLogger(AgentStarter.class);
    private static volatile boolean started;
    private static volatile IntakeReporter reporter;

    private AgentStarter() {
    }

    public static boolean isStarted() {
        return started;
    }

    /**
     * @param agentArguments    {@code key=value;key2=value2} from {@code -javaagent:jar=...} or the attacher
     * @param activationMethod  how the agent came in: {@code javaagent-flag}, {@code apm-agent-attach-cli},
     *                          {@code programmatic-self-attach}
     * @param extraConfig       configuration of lowest precedence (e.g. elasticapm.properties from the class path
     *                          when self-attaching), or null
     */
    public static synchronized void start(String agentArguments, Instrumentation instrumentation, File agentJar,
                                          String activationMethod, Map<String, String> extraConfig) {
        if (started) {
            logger.info("The agent is already running in this JVM; the new activation ({}) is ignored",
                activationMethod);
            return;
        }
        started = true;
        long startNanos = System.nanoTime();
        try {
            File agentHome = agentJar == null ? null : agentJar.getParentFile();
            List<ConfigSource> sources = ConfigSources.standard(System.getProperties(), System.getenv(),
                MapConfigSource.fromAgentArguments(agentArguments), agentHome,
                extraConfig == null ? null : new MapConfigSource("class path elasticapm.properties", extraConfig));
            configureLogging(sources);
            List<ConfigOption<?>> options = ConfigLoader.discoverOptions(AgentStarter.class.getClassLoader() == null
                ? ClassLoader.getSystemClassLoader() : AgentStarter.class.getClassLoader());
            AgentConfig config = ConfigLoader.load(options, sources);
            if (!config.get(CoreOptions.ENABLED)) {
                logger.info("The agent is disabled (enabled=false); nothing is instrumented or recorded");
                return;
            }
            // lets attachers (and operators) see that this JVM already runs the agent
            System.setProperty("nimble.apm.agent.active", activationMethod);
            IntakeReporter intake = new IntakeReporter(config, AgentVersion.get(), activationMethod);
            intake.setHousekeeping(ConfigReloader.forSources(config, sources));
            intake.start();
            reporter = intake;
            Tracer tracer = new Tracer(config, intake);
            Tracer.install(tracer);
            registerShutdownHook(intake, tracer, config.get(CoreOptions.SHUTDOWN_FLUSH_TIMEOUT));

            long coreReady = System.nanoTime();
            ClassFileLocator locator = new ClassFileLocator.Compound(agentJar != null
                ? ClassFileLocator.ForJarFile.of(agentJar) : ClassFileLocator.ForClassLoader.ofSystemLoader(),
                ClassFileLocator.ForClassLoader.ofBootLoader());
            List<InstrumentationDiscovery.Found> found = AgentInstaller.enabled(config,
                InstrumentationDiscovery.discover(ClassLoader.getSystemClassLoader(),
                    config.get(CoreOptions.PLUGINS_DIR)));
            long discovered = System.nanoTime();
            install(instrumentation, found, locator, "javaagent-flag".equals(activationMethod));
            logger.debug("Start-up: core {} ms, instrumentation discovery {} ms, installation {} ms",
                (coreReady - startNanos) / 1000000L, (discovered - coreReady) / 1000000L,
                (System.nanoTime() - discovered) / 1000000L);
            List<String> urls = new ArrayList<String>();
            for (java.net.URL url : serverUrls(config)) {
                urls.add(ValueParsers.withoutUserInfo(url));
            }
            logger.info("Nimble APM agent {} started in {} ms ({}): reporting to {}, {} instrumentation(s)",
                AgentVersion.get(), (System.nanoTime() - startNanos) / 1000000L, activationMethod, urls,
                found.size());
        } catch (Throwable t) {
            logger.error("The agent failed to start and is inactive; the application is not affected: {}", t);
        }
    }

    /**
     * When every instrumentation names the types it may touch, only a name filter is registered now and - at JVM
     * start ({@code atStartUp}) - Byte Buddy is prepared on a background thread ({@link DeferredTransformer}), so the
     * application's start-up does not wait for it. On a late attach the application is already running and loaded
     * classes must be retransformed before the attacher returns, so that every later request is traced: then it is
     * done right away.
     */
    private static void install(final Instrumentation instrumentation,
                                final List<InstrumentationDiscovery.Found> found, final ClassFileLocator locator,
                                boolean atStartUp) {
        if (found.isEmpty()) {
            logger.info("No instrumentation enabled");
            return;
        }
        List<String> prefixes = new ArrayList<String>();
        for (InstrumentationDiscovery.Found f : found) {
            java.util.Collection<String> own = f.instrumentation.getTypeNamePrefixes();
            if (own == null) {
                AgentInstaller.install(instrumentation, found, locator);
                return;
            }
            prefixes.addAll(own);
        }
        final DeferredTransformer deferred = new DeferredTransformer(prefixes);
        instrumentation.addTransformer(deferred, true);
        Thread init = new Thread(new Runnable() {
            @Override
            public void run() {
                ClassFileTransformer transformer = null;
                try {
                    long start = System.nanoTime();
                    transformer = AgentInstaller.buildTransformer(found, locator);
                    logger.debug("Byte Buddy ready after {} ms in the background", (System.nanoTime() - start)
                        / 1000000L);
                } catch (Throwable t) {
                    logger.error("Instrumentation could not be prepared; nothing will be traced: {}", t);
                } finally {
                    deferred.ready(transformer);
                }
                if (transformer != null) {
                    deferred.retransformLoaded(instrumentation);
                }
            }
        }, "apm-agent-init");
        if (!atStartUp) {
            init.run();
            return;
        }
        init.setDaemon(true);
        init.start();
    }

    private static List<java.net.URL> serverUrls(AgentConfig config) {
        List<java.net.URL> urls = config.get(CoreOptions.SERVER_URLS);
        return urls != null && !urls.isEmpty() ? urls : config.get(CoreOptions.SERVER_URL);
    }

    /** The log options are applied before anything else is resolved, so that configuration warnings go there. */
    private static void configureLogging(List<ConfigSource> sources) {
        String level = null;
        String file = null;
        for (ConfigSource source : sources) {
            if (level == null) {
                level = source.get(CoreOptions.LOG_LEVEL.key());
            }
            if (file == null) {
                file = source.get(CoreOptions.LOG_FILE.key());
            }
        }
        LogLevel parsed = level == null ? null : LogLevel.parse(level);
        AgentLogger.configure(parsed == null ? CoreOptions.LOG_LEVEL.defaultValue() : parsed,
            file == null ? CoreOptions.LOG_FILE.defaultValue() : file);
    }

    private static void registerShutdownHook(final IntakeReporter intake, final Tracer tracer,
                                             final long timeoutMillis) {
        Thread hook = new Thread(new Runnable() {
            @Override
            public void run() {
                long start = System.nanoTime();
                intake.close(timeoutMillis);
                // a leak or a misuse of pooled objects shows here (and the integration tests check this line)
                logger.debug("At exit after {} ms: {}; in use: {} transactions, {} spans, {} errors; pool violations: "
                    + "{}; advice errors: {}", (System.nanoTime() - start) / 1000000L, intake.stats(),
                    tracer.transactionPool().objectsInUse(), tracer.spanPool().objectsInUse(),
                    tracer.errorPool().objectsInUse(), tracer.poolViolations(), AdviceErrors.count());
            }
        }, "apm-shutdown-flush");
        hook.setDaemon(true);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The running reporter (diagnostics and tests), or null. */
    public static IntakeReporter reporter() {
        return reporter;
    }
}

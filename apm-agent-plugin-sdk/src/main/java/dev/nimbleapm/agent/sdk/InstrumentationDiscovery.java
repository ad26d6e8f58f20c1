package dev.nimbleapm.agent.sdk;

import java.io.File;
import java.io.FilenameFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Finds instrumentations: those of the agent jar through {@link ServiceLoader}, and those of each jar in
 * {@code plugins_dir} through a {@link PluginJarClassLoader}. A plugin that fails to load is reported and skipped;
 * it never stops the others.
 */
public final class InstrumentationDiscovery {

    private static final AgentLogger logger = AgentLogger.getLogger(InstrumentationDiscovery.class);

    /** An instrumentation and where its advice bytecode comes from. */
    public static final class Found {
        public final ElasticApmInstrumentation instrumentation;
        /** Null for instrumentations of the agent jar. */
        public final PluginJarClassLoader pluginLoader;

        Found(ElasticApmInstrumentation instrumentation, PluginJarClassLoader pluginLoader) {
            this.instrumentation = instrumentation;
            this.pluginLoader = pluginLoader;
        }
    }

    private InstrumentationDiscovery() {
    }

    public static List<Found> discover(ClassLoader agentLoader, String pluginsDir) {
        List<Found> found = new ArrayList<Found>();
        load(ServiceLoader.load(ElasticApmInstrumentation.class, agentLoader), null, "the agent", found);
        if (pluginsDir != null) {
            File dir = new File(pluginsDir);
            File[] jars = dir.listFiles(new FilenameFilter() {
                @Override
                public boolean accept(File d, String name) {
                    return name.endsWith(".jar");
                }
            });
            if (jars == null) {
                logger.warn("plugins_dir '{}' is not a readable directory; no external plugins loaded", pluginsDir);
            } else {
                Arrays.sort(jars);
                for (File jar : jars) {
                    try {
                        PluginJarClassLoader loader = new PluginJarClassLoader(jar);
                        int before = found.size();
                        load(ServiceLoader.load(ElasticApmInstrumentation.class, loader), loader, jar.getName(), found);
                        logger.info("Loaded {} instrumentation(s) from external plugin {}", found.size() - before,
                            jar.getName());
                    } catch (Throwable t) {
                        logger.warn("External plugin {} cannot be loaded and is skipped: {}", jar.getName(), t);
                    }
                }
            }
        }
        return found;
    }

    private static void load(ServiceLoader<ElasticApmInstrumentation> services, PluginJarClassLoader loader,
                             String origin, List<Found> found) {
        Iterator<ElasticApmInstrumentation> it = services.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                ElasticApmInstrumentation instrumentation = it.next();
                if (loader == null || instrumentation.getClass().getClassLoader() == loader) {
                    found.add(new Found(instrumentation, loader));
                }
            } catch (ServiceConfigurationError e) {
                logger.warn("An instrumentation of {} cannot be created and is skipped: {}", origin, e.getMessage());
            } catch (Throwable t) {
                logger.warn("An instrumentation of {} cannot be created and is skipped: {}", origin, t);
            }
        }
    }
}

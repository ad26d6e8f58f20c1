package dev.nimbleapm.agent.sdk;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.loading.ClassInjector;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Defines helper classes (those implementing library types) in the instrumented class's loader, once per loader.
 * Loaders are weakly referenced, so injecting never keeps an application's class loader alive.
 */
final class HelperInjector {

    private static final AgentLogger logger = AgentLogger.getLogger(HelperInjector.class);
    private static final Map<ClassLoader, Boolean> INJECTED = new WeakHashMap<ClassLoader, Boolean>();

    private HelperInjector() {
    }

    static void inject(ClassLoader loader, Collection<String> helpers, ClassFileLocator locator) {
        synchronized (INJECTED) {
            if (INJECTED.containsKey(loader)) {
                return;
            }
            INJECTED.put(loader, Boolean.TRUE);
        }
        try {
            Map<String, byte[]> types = new LinkedHashMap<String, byte[]>();
            for (String helper : helpers) {
                types.put(helper, locator.locate(helper).resolve());
            }
            ClassInjector injector = ClassInjector.UsingReflection.isAvailable()
                ? new ClassInjector.UsingReflection(loader) : new ClassInjector.UsingUnsafe(loader);
            injector.injectRaw(types);
        } catch (IOException e) {
            logger.warn("Could not inject helper classes {} into {}: {}", helpers, loader, e);
        } catch (RuntimeException e) {
            logger.warn("Could not inject helper classes {} into {}: {}", helpers, loader, e);
        }
    }
}

package dev.nimbleapm.agent.sdk;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * The class file transformer the agent registers at start-up, in place of Byte Buddy's. It is plain JDK code that
 * looks at each loaded class's name only; the few classes an instrumentation may apply to are handed to the Byte
 * Buddy transformer, which is built on a background thread meanwhile. Loading and warming up Byte Buddy therefore
 * costs the application's start-up nothing; a class that needs it before it is ready waits for it (once).
 *
 * <p>Thread-safe: called by every thread that loads a class.
 */
final class DeferredTransformer implements ClassFileTransformer {

    private static final AgentLogger logger = AgentLogger.getLogger(DeferredTransformer.class);

    private final String[] internalPrefixes;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile ClassFileTransformer delegate;

    DeferredTransformer(Collection<String> typeNamePrefixes) {
        List<String> prefixes = new ArrayList<String>();
        for (String prefix : typeNamePrefixes) {
            prefixes.add(prefix.replace('.', '/'));
        }
        this.internalPrefixes = prefixes.toArray(new String[0]);
    }

    /** Whether a class of this name (binary or internal form) may need transforming. */
    boolean matches(String className) {
        if (className == null) {
            return false;
        }
        String internal = className.replace('.', '/');
        for (String prefix : internalPrefixes) {
            if (internal.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Hands over to the Byte Buddy transformer (null: nothing to install) and releases waiting class loads. */
    void ready(ClassFileTransformer transformer) {
        this.delegate = transformer;
        ready.countDown();
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer)
        throws IllegalClassFormatException {
        if (!matches(className)) {
            return null;
        }
        try {
            ready.await();
            ClassFileTransformer target = delegate;
            return target == null ? null
                : target.transform(loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Throwable t) {
            logger.warnOnce("deferred-transform", "Could not instrument {}: {}", className, t);
            return null;
        }
    }

    /** Retransforms the classes with matching names that were loaded before the agent was ready. */
    void retransformLoaded(Instrumentation instrumentation) {
        List<Class<?>> loaded = new ArrayList<Class<?>>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (matches(type.getName()) && instrumentation.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        for (Class<?> type : loaded) {
            try {
                instrumentation.retransformClasses(type);
            } catch (Throwable t) {
                logger.warn("Could not instrument the already loaded {}: {}", type.getName(), t);
            }
        }
        if (!loaded.isEmpty()) {
            logger.debug("Retransformed {} already loaded class(es)", loaded.size());
        }
    }
}

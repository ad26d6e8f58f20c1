package dev.nimbleapm.agent.plugin.es.restclient.common;

/**
 * Class loaders that are never collected: the bootstrap loader, the system (application) class loader and its
 * ancestors. Only what they load may be referenced from static fields without keeping a discardable class loader
 * alive.
 */
final class PermanentLoaders {

    private PermanentLoaders() {
    }

    static boolean contains(ClassLoader loader) {
        if (loader == null) {
            return true;
        }
        for (ClassLoader permanent = ClassLoader.getSystemClassLoader(); permanent != null;
             permanent = permanent.getParent()) {
            if (permanent == loader) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first value created for a permanent class loader. A class's nested {@code Primary} holder copies that
     * value's method handles into {@code static final} fields, which C2 treats as constants. The creator claims the
     * place first, creates its value knowing it is the primary one (a final field), then publishes it; only the
     * primary value touches its holder, so the holder is always initialized after the publication.
     */
    static final class First<T> {
        private boolean claimed; // guarded by this
        private volatile T value;

        /** True for the first caller whose {@code loader} is permanent: it must {@link #publish} its value. */
        synchronized boolean claim(ClassLoader loader) {
            if (!claimed && contains(loader)) {
                claimed = true;
                return true;
            }
            return false;
        }

        void publish(T primary) {
            value = primary;
        }

        /** The published value, or null. */
        T get() {
            return value;
        }
    }
}

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
}

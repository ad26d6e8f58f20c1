package dev.nimbleapm.agent.sdk;

import java.util.Map;
import java.util.WeakHashMap;

import net.bytebuddy.matcher.ElementMatcher;

/** Class-loader matchers for {@link ElasticApmInstrumentation#getClassLoaderMatcher()}. */
public final class ClassLoaderMatchers {

    private ClassLoaderMatchers() {
    }

    /**
     * Loaders that can see {@code className} (looked up as a resource, without loading it). Answers are cached per
     * loader with weak keys, so a discarded loader can still be collected.
     */
    public static ElementMatcher<ClassLoader> canLoad(final String className) {
        final String resource = className.replace('.', '/') + ".class";
        final Map<ClassLoader, Boolean> cache = new WeakHashMap<ClassLoader, Boolean>();
        return new ElementMatcher<ClassLoader>() {
            @Override
            public boolean matches(ClassLoader loader) {
                synchronized (cache) {
                    Boolean known = cache.get(loader);
                    if (known != null) {
                        return known;
                    }
                }
                boolean visible;
                try {
                    visible = loader == null ? Object.class.getResource("/" + resource) != null
                        : loader.getResource(resource) != null;
                } catch (Throwable t) {
                    visible = false;
                }
                if (loader != null) {
                    synchronized (cache) {
                        cache.put(loader, visible);
                    }
                }
                return visible;
            }

            @Override
            public String toString() {
                return "canLoad(" + className + ")";
            }
        };
    }
}

package dev.nimbleapm.agent.core.util;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A concurrent map keyed by object identity that never keeps its keys alive: the agent can associate its state with
 * application objects (a client's internal listener, a request) without ever preventing their collection or their
 * class loader's. Values of collected keys are handed to {@link Listener#onKeyCollected} (so held resources can be
 * released), the next time the map is written.
 */
public final class WeakIdentityMap<K, V> {

    /** Told about values whose key was garbage collected before being removed. */
    public interface Listener<V> {
        void onKeyCollected(V value);
    }

    private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<Object, V>();
    private final ReferenceQueue<Object> queue = new ReferenceQueue<Object>();
    private final Listener<V> listener;
    private final ThreadLocal<LookupKey> lookupKeys = new ThreadLocal<LookupKey>() {
        @Override
        protected LookupKey initialValue() {
            return new LookupKey();
        }
    };

    public WeakIdentityMap(Listener<V> listener) {
        this.listener = listener;
    }

    public void put(K key, V value) {
        expunge();
        map.put(new WeakKey(key, queue), value);
    }

    public V get(K key) {
        LookupKey lookup = lookupKeys.get().of(key);
        try {
            return map.get(lookup);
        } finally {
            lookup.clear();
        }
    }

    public V remove(K key) {
        LookupKey lookup = lookupKeys.get().of(key);
        try {
            return map.remove(lookup);
        } finally {
            lookup.clear();
        }
    }

    public int size() {
        expunge();
        return map.size();
    }

    private void expunge() {
        Object stale;
        while ((stale = queue.poll()) != null) {
            V value = map.remove(stale);
            if (value != null && listener != null) {
                try {
                    listener.onKeyCollected(value);
                } catch (Throwable ignored) {
                    // a listener failure must not break the caller
                }
            }
        }
    }

    private static final class WeakKey extends WeakReference<Object> {
        private final int hash;

        WeakKey(Object key, ReferenceQueue<Object> queue) {
            super(key, queue);
            this.hash = System.identityHashCode(key);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other == this) {
                return true;
            }
            Object mine = get();
            if (other instanceof WeakKey) {
                return mine != null && mine == ((WeakKey) other).get();
            }
            if (other instanceof LookupKey) {
                return mine != null && mine == ((LookupKey) other).key;
            }
            return false;
        }
    }

    /** A reusable, strong lookup key so that reads and removals allocate nothing. */
    private static final class LookupKey {
        private Object key;
        private int hash;

        LookupKey of(Object k) {
            this.key = k;
            this.hash = System.identityHashCode(k);
            return this;
        }

        void clear() {
            key = null;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (other instanceof WeakKey) {
                return key != null && key == ((WeakKey) other).get();
            }
            return other == this;
        }
    }
}

package dev.nimbleapm.agent.core.model;

/**
 * Key/value pairs attached to an event (labels, custom context). Values are String, Number or Boolean. Stored in
 * parallel arrays that are reused across recycles: setting a label allocates nothing once the arrays have grown to
 * the workload's size. A key set twice keeps the last value. At most {@link #MAX_ENTRIES} entries.
 */
public final class Labels {

    public static final int MAX_ENTRIES = 128;

    private static final String[] NO_KEYS = new String[0];
    private static final Object[] NO_VALUES = new Object[0];

    private String[] keys = NO_KEYS;
    private Object[] values = NO_VALUES;
    private int size;

    public void put(String key, Object value) {
        if (key == null) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                values[i] = value;
                return;
            }
        }
        if (size == MAX_ENTRIES) {
            return;
        }
        if (size == keys.length) {
            int newLength = Math.min(MAX_ENTRIES, Math.max(4, size * 2));
            keys = java.util.Arrays.copyOf(keys, newLength);
            values = java.util.Arrays.copyOf(values, newLength);
        }
        keys[size] = key;
        values[size] = value;
        size++;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public String key(int index) {
        return keys[index];
    }

    public Object value(int index) {
        return values[index];
    }

    public Object get(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return values[i];
            }
        }
        return null;
    }

    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[i] = null;
            values[i] = null;
        }
        size = 0;
    }
}

package dev.nimbleapm.agent.core.pool;

/**
 * A bounded pool of reusable objects. Objects are handed out most-recently-returned first (a stack), so a steady
 * workload keeps reusing the same few warm objects and whatever they lazily allocated (buffers) stays bounded.
 * When the pool is empty a new object is created; when it is full a returned object is left to the garbage
 * collector. Counters make leaks visible: after all work is done, {@link #objectsInUse()} is zero.
 *
 * <p>Thread-safe: taken on application threads, returned on the reporter thread. The critical sections are a few
 * field writes, so a plain lock is cheaper than any lock-free structure that would allocate nodes.
 */
public final class ObjectPool<T> {

    /** Creates pool members. */
    public interface Factory<T> {
        T create(ObjectPool<T> pool);
    }

    private final Object[] stack;
    private int size;
    private final Factory<T> factory;
    private final String name;
    // counters are guarded by the pool's lock, which every take and recycle holds anyway: no extra fences
    private long created;
    private long discarded;
    private long taken;
    private long returned;

    public ObjectPool(String name, int maxPooled, Factory<T> factory) {
        this.name = name;
        this.stack = new Object[maxPooled];
        this.factory = factory;
    }

    @SuppressWarnings("unchecked")
    public T take() {
        T object = null;
        synchronized (this) {
            taken++;
            if (size > 0) {
                object = (T) stack[--size];
                stack[size] = null;
            } else {
                created++;
            }
        }
        return object != null ? object : factory.create(this);
    }

    /**
     * Keeps the object for reuse (or drops it when the pool is full), after resetting it when it is
     * {@link Recyclable}.
     */
    public void recycle(T object) {
        if (object instanceof Recyclable) {
            ((Recyclable) object).resetState();
        }
        synchronized (this) {
            returned++;
            if (size < stack.length) {
                stack[size++] = object;
                return;
            }
            discarded++;
        }
    }

    /** Objects handed out and not yet returned. */
    public synchronized long objectsInUse() {
        return taken - returned;
    }

    public synchronized int available() {
        return size;
    }

    public synchronized long created() {
        return created;
    }

    public synchronized long discarded() {
        return discarded;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + "{inUse=" + objectsInUse() + ", available=" + available() + ", created=" + created() + "}";
    }
}

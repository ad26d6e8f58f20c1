package dev.nimbleapm.agent.core.io;

import java.nio.CharBuffer;

import dev.nimbleapm.agent.core.pool.ObjectPool;

/**
 * Heap char buffers of one fixed capacity (the longest text a field may hold), reused across requests so that
 * copying a request body allocates nothing in steady state. Only spans that actually capture text hold one.
 */
public final class CharBufferPool {

    private final int capacity;
    private final ObjectPool<CharBuffer> pool;

    public CharBufferPool(final int capacity, int maxPooled) {
        this.capacity = capacity;
        this.pool = new ObjectPool<CharBuffer>("char-buffers", maxPooled, new ObjectPool.Factory<CharBuffer>() {
            @Override
            public CharBuffer create(ObjectPool<CharBuffer> p) {
                return CharBuffer.allocate(capacity);
            }
        });
    }

    public int bufferCapacity() {
        return capacity;
    }

    /** A cleared buffer with {@link #bufferCapacity()} chars of room. */
    public CharBuffer take() {
        CharBuffer buffer = pool.take();
        buffer.clear();
        return buffer;
    }

    public void recycle(CharBuffer buffer) {
        buffer.clear();
        pool.recycle(buffer);
    }

    public long objectsInUse() {
        return pool.objectsInUse();
    }
}

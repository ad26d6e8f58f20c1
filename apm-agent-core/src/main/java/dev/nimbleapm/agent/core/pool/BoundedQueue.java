package dev.nimbleapm.agent.core.pool;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, lock-free multi-producer multi-consumer array queue (sequence-numbered slots). {@link #offer} never
 * blocks and never allocates: when the queue is full it returns {@code false} and the caller drops. This is what
 * keeps the application's thread independent of the reporter's speed.
 */
public final class BoundedQueue<E> {

    private final int mask;
    private final int capacity;
    private final AtomicReferenceArray<E> elements;
    private final AtomicLongArray sequences;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    public BoundedQueue(int requestedCapacity) {
        int size = 2;
        while (size < requestedCapacity) {
            size <<= 1;
        }
        this.capacity = requestedCapacity;
        this.mask = size - 1;
        this.elements = new AtomicReferenceArray<E>(size);
        this.sequences = new AtomicLongArray(size);
        for (int i = 0; i < size; i++) {
            sequences.set(i, i);
        }
    }

    public boolean offer(E element) {
        while (true) {
            long t = tail.get();
            if (t - head.get() >= capacity) {
                return false;
            }
            int index = (int) (t & mask);
            long seq = sequences.get(index);
            if (seq == t) {
                if (tail.compareAndSet(t, t + 1)) {
                    elements.lazySet(index, element);
                    sequences.set(index, t + 1);
                    return true;
                }
            } else if (seq < t) {
                return false;
            }
        }
    }

    /** The next element, or {@code null} when empty. */
    public E poll() {
        while (true) {
            long h = head.get();
            int index = (int) (h & mask);
            long seq = sequences.get(index);
            if (seq == h + 1) {
                if (head.compareAndSet(h, h + 1)) {
                    E element = elements.get(index);
                    elements.lazySet(index, null);
                    sequences.set(index, h + mask + 1);
                    return element;
                }
            } else if (seq < h + 1) {
                return null;
            }
        }
    }

    public int size() {
        long size = tail.get() - head.get();
        return (int) Math.max(0, Math.min(size, capacity));
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    public int capacity() {
        return capacity;
    }
}

package dev.nimbleapm.agent.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Drains one output stream of a child process on a daemon thread, into memory and into a file.
 *
 * <p>Exists so that a child never blocks on a full pipe, a test can look at (and wait for) its output while it runs,
 * and the output survives in a file for the post-mortem of a failed build. Every chunk read signals the condition it
 * was given, shared by all captures of one process.
 */
final class OutputCapture {

    private static final System.Logger LOG = System.getLogger(OutputCapture.class.getName());

    private final ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private final ReentrantLock lock;
    private final Condition changed;
    private final Path file;
    private final Thread thread;
    private boolean finished; // guarded by lock

    OutputCapture(InputStream in, Path file, String threadName, ReentrantLock lock, Condition changed) {
        this.lock = lock;
        this.changed = changed;
        this.file = file;
        this.thread = new Thread(() -> pump(in), threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** What was captured so far, decoded as UTF-8. */
    String text() {
        lock.lock();
        try {
            return memory.toString(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    /** Whether the stream has ended (the process and every process sharing the pipe closed it). */
    boolean finished() {
        lock.lock();
        try {
            return finished;
        } finally {
            lock.unlock();
        }
    }

    Path file() {
        return file;
    }

    /** Waits up to {@code millis} for the stream to end; returns whether it has. */
    boolean awaitFinished(long millis) {
        try {
            thread.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return finished();
    }

    private void pump(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in; OutputStream out = openFile()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (out != null) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
                lock.lock();
                try {
                    memory.write(buffer, 0, n);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "output capture ended: {0}", e.toString());
        } finally {
            lock.lock();
            try {
                finished = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private OutputStream openFile() {
        try {
            Files.createDirectories(file.getParent());
            return Files.newOutputStream(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write child output to " + file, e);
            return null;
        }
    }
}

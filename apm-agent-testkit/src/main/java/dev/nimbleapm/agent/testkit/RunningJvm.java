package dev.nimbleapm.agent.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A child JVM started by {@link ChildJvm}: its output so far, waits on its output and exit, and its end.
 *
 * <p>Exists so that tests never wait for a child by sleeping: every wait has a deadline, and one that passes fails
 * with the child's output in the message. Closing it destroys the child and every process it started.
 */
public final class RunningJvm implements AutoCloseable {

    private static final Duration DESTROY_GRACE = Duration.ofSeconds(5);
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int TAIL_CHARS = 4000;

    private final Process process;
    private final List<String> command;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition outputChanged = lock.newCondition();
    private final OutputCapture stdout;
    private final OutputCapture stderr;

    RunningJvm(Process process, List<String> command, String label, Path outputDir) {
        this.process = process;
        this.command = List.copyOf(command);
        String prefix = label + "-" + process.pid();
        this.stdout = new OutputCapture(process.getInputStream(), outputDir.resolve(prefix + ".stdout.log"),
                "child-jvm-stdout-" + prefix, lock, outputChanged);
        this.stderr = new OutputCapture(process.getErrorStream(), outputDir.resolve(prefix + ".stderr.log"),
                "child-jvm-stderr-" + prefix, lock, outputChanged);
        try {
            process.getOutputStream().close(); // no input: a child reading stdin sees its end at once
        } catch (IOException ignored) {
            // nothing to close
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> command() {
        return command;
    }

    /** Standard output captured so far. */
    public String stdout() {
        return stdout.text();
    }

    /** Standard error captured so far. */
    public String stderr() {
        return stderr.text();
    }

    public Path stdoutFile() {
        return stdout.file();
    }

    public Path stderrFile() {
        return stderr.file();
    }

    /**
     * Waits for the child to exit and its output to be drained.
     *
     * @return the exit code
     * @throws AssertionError when it has not exited within {@code timeout}; the process tree is destroyed first
     */
    public int awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                destroy();
                throw new AssertionError("child JVM " + pid() + " did not exit within " + timeout
                        + " and was destroyed\n" + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroy();
            throw new AssertionError("interrupted while waiting for child JVM " + pid(), e);
        }
        // the pipes end with the process, unless it left children holding them
        long left = Math.max(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()), 1000);
        stdout.awaitFinished(left);
        stderr.awaitFinished(left);
        return process.exitValue();
    }

    /**
     * Waits until standard output or standard error contains {@code substring}.
     *
     * @throws AssertionError when the timeout passes, or the child ends, before it appears
     */
    public void awaitOutput(String substring, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!stdout.text().contains(substring) && !stderr.text().contains(substring)) {
                if (stdout.finished() && stderr.finished()) {
                    throw new AssertionError("child JVM " + pid() + " ended its output without printing \""
                            + substring + "\"\n" + describe());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("child JVM " + pid() + " did not print \"" + substring + "\" within "
                            + timeout + "\n" + describe());
                }
                outputChanged.awaitNanos(Math.min(left, WAIT_SLICE_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for output of child JVM " + pid(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Terminates the child and every process it started (forcibly after a grace period), and waits for them. */
    public void destroy() {
        ProcessTrees.destroy(process.toHandle(), DESTROY_GRACE);
        stdout.awaitFinished(DESTROY_GRACE.toMillis());
        stderr.awaitFinished(DESTROY_GRACE.toMillis());
    }

    /** Destroys the child if it is still running. */
    @Override
    public void close() {
        if (process.isAlive() || process.toHandle().descendants().findAny().isPresent()) {
            destroy();
        }
    }

    /** The command and the tails of both outputs, for failure messages. */
    public String describe() {
        return "command: " + String.join(" ", command)
                + "\n--- stdout (" + stdout.file() + ") ---\n" + tail(stdout())
                + "\n--- stderr (" + stderr.file() + ") ---\n" + tail(stderr());
    }

    private static String tail(String s) {
        return s.length() <= TAIL_CHARS ? s : "..." + s.substring(s.length() - TAIL_CHARS);
    }
}

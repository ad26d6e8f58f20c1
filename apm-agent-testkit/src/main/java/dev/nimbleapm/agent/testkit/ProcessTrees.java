package dev.nimbleapm.agent.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Ends a process together with every process it started.
 *
 * <p>Exists because test processes (a child JVM, Elasticsearch behind its start script) often run children of their
 * own, which would outlive a plain {@link Process#destroy()}. The descendants are listed <em>before</em> anything is
 * killed (once a parent is gone its children are re-parented and can no longer be found), all are asked to terminate,
 * and whatever is still alive after the grace period is killed forcibly.
 */
final class ProcessTrees {

    private ProcessTrees() {
    }

    /**
     * Terminates {@code root} and its descendants; returns once all have exited or {@code 2 * grace} has passed.
     *
     * @return whether every process of the tree has exited
     */
    static boolean destroy(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().collect(Collectors.toList()));
        tree.add(0, root);
        tree.forEach(ProcessHandle::destroy);
        if (awaitAll(tree, grace)) {
            return true;
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return awaitAll(tree, grace);
    }

    private static boolean awaitAll(List<ProcessHandle> processes, Duration timeout) {
        CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return processes.stream().noneMatch(ProcessHandle::isAlive);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return processes.stream().noneMatch(ProcessHandle::isAlive);
        }
    }
}

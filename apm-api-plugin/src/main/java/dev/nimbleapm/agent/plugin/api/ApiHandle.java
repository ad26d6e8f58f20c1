package dev.nimbleapm.agent.plugin.api;

import dev.nimbleapm.agent.core.model.AbstractSpan;
import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.model.Transaction;

/**
 * What the public API's wrappers hold instead of our transaction or span: the object and the generation it had
 * when it was handed out. Transactions and spans are pooled; a wrapper the application keeps after {@code end()}
 * must never act on the object's next life, so every hook resolves the handle first and ignores it when stale.
 * One small immutable object per hand-out, instead of an unpooled transaction.
 */
public final class ApiHandle {

    private final AbstractSpan target;
    private final int generation;

    private ApiHandle(AbstractSpan target) {
        this.target = target;
        this.generation = target.generation();
    }

    /** A handle for the API, or null (the API then hands out its no-op objects). */
    public static Object wrap(AbstractSpan target) {
        return target == null ? null : new ApiHandle(target);
    }

    /** The object if the handle is current and the object not ended yet (for anything that changes it). */
    public static AbstractSpan live(Object handle) {
        AbstractSpan target = current(handle);
        return target != null && target.isStarted() ? target : null;
    }

    public static Transaction liveTransaction(Object handle) {
        AbstractSpan target = live(handle);
        return target instanceof Transaction ? (Transaction) target : null;
    }

    public static Span liveSpan(Object handle) {
        AbstractSpan target = live(handle);
        return target instanceof Span ? (Span) target : null;
    }

    /** The object if the handle is current, ended or not (ids, sampling, deactivation). */
    public static AbstractSpan current(Object handle) {
        if (!(handle instanceof ApiHandle)) {
            return null;
        }
        ApiHandle h = (ApiHandle) handle;
        AbstractSpan target = h.target;
        return target.generation() == h.generation && (target.isStarted() || target.isEnded()) ? target : null;
    }
}

package com.example.apm.plugin;

import net.bytebuddy.asm.Advice;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.core.tracer.Tracer;

/** Inlined into {@code Inventory.reserve(String)}. */
public final class InventoryAdvice {

    private InventoryAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Span onEnter(@Advice.Argument(0) String item) {
        Tracer tracer = Tracer.get();
        Span span = tracer == null ? null : tracer.startSpan(tracer.getActive());
        if (span != null) {
            span.setTypes("app", "inventory", "reserve");
            span.nameBuilder().append("Inventory.reserve ").append(item);
            span.activate();
        }
        return span;
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void onExit(@Advice.Enter Span span) {
        if (span != null) {
            span.deactivate();
            span.end();
        }
    }
}

package com.example.advicetest;

import net.bytebuddy.asm.Advice;

/** Advice with a bug: both its parts throw. The SDK contract's suppress = Throwable.class must contain that. */
public final class ThrowingAdvice {

    private ThrowingAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Origin("#m") String method) {
        throw new IllegalStateException("bug in enter advice of " + method);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(@Advice.Thrown Throwable thrown) {
        throw new UnsupportedOperationException("bug in exit advice, thrown=" + thrown);
    }
}

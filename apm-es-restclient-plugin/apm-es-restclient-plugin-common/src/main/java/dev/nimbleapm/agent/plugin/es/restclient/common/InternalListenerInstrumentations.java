package dev.nimbleapm.agent.plugin.es.restclient.common;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * How asynchronous requests are followed in every client version (5.0.2 to 9.x): the client wraps the application's
 * listener into one {@code RestClient$FailureTrackingResponseListener} per request and completes it exactly when
 * the request is over, after all retries. Its shape never changed, so these instrumentations serve both API shapes.
 */
public final class InternalListenerInstrumentations {

    private InternalListenerInstrumentations() {
    }

    /** Ties the internal listener to the asynchronous request being issued on this thread. */
    public static final class Creation extends RestClientInstrumentation {

        @Override
        public ElementMatcher<? super TypeDescription> getTypeMatcher() {
            return named(INTERNAL_LISTENER);
        }

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return isConstructor().and(takesArguments(1));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.This Object internalListener, @Advice.Argument(0) Object userListener) {
                EsRequests.onInternalListenerCreated(internalListener, userListener);
            }
        }
    }

    /**
     * {@code onSuccess(Response)} and {@code onDefinitiveFailure(Exception)}: ends the span, then runs the
     * application's listener with the request's original context active.
     */
    public static final class Completion extends RestClientInstrumentation {

        @Override
        public ElementMatcher<? super TypeDescription> getTypeMatcher() {
            return named(INTERNAL_LISTENER);
        }

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return named("onSuccess").or(named("onDefinitiveFailure")).and(takesArguments(1));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static Object onEnter(@Advice.This Object internalListener,
                                         @Advice.Argument(0) Object responseOrFailure) {
                return responseOrFailure instanceof Throwable
                    ? EsRequests.onInternalListenerCompleted(internalListener, null, (Throwable) responseOrFailure)
                    : EsRequests.onInternalListenerCompleted(internalListener, responseOrFailure, null);
            }

            @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
            public static void onExit(@Advice.Enter Object completed) {
                EsRequests.afterInternalListener(completed);
            }
        }
    }

    /**
     * The client's private per-attempt method (the internal listener is its last parameter in every version):
     * returning normally from the first attempt means the request reached the I/O reactor; throwing means it failed
     * before that.
     */
    public static final class FirstAttempt extends RestClientInstrumentation {

        @Override
        public ElementMatcher<? super TypeDescription> getTypeMatcher() {
            return named(REST_CLIENT);
        }

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return named("performRequestAsync").and(isPrivate()).and(new LastParameterIs(INTERNAL_LISTENER));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
            public static void onExit(@Advice.AllArguments Object[] arguments, @Advice.Thrown Throwable thrown) {
                EsRequests.onFirstAttemptReturned(arguments[arguments.length - 1], thrown);
            }
        }
    }

    /** Matches methods whose last parameter has the given type name (its position differs across versions). */
    static final class LastParameterIs extends ElementMatcher.Junction.AbstractBase<MethodDescription> {
        private final String typeName;

        LastParameterIs(String typeName) {
            this.typeName = typeName;
        }

        @Override
        public boolean matches(MethodDescription method) {
            int n = method.getParameters().size();
            return n > 0 && method.getParameters().get(n - 1).getType().asErasure().getName().equals(typeName);
        }
    }
}

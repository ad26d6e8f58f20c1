package dev.nimbleapm.agent.plugin.es.restclient.v5_6;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import org.apache.http.HttpEntity;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;
import dev.nimbleapm.agent.plugin.es.restclient.common.RestClientInstrumentation;

/**
 * Clients before the {@code Request} API (5.0.2 to 6.3.x; artifact {@code rest} up to 5.5, then
 * {@code elasticsearch-rest-client}). All synchronous overloads funnel into
 * {@code performRequest(String, String, Map, HttpEntity, HttpAsyncResponseConsumerFactory, Header...)}, all
 * asynchronous ones into the 7-argument {@code performRequestAsync}. Up to 6.2 the synchronous method itself calls
 * that public asynchronous one; the span it has already activated makes the inner call record nothing, so each
 * request still has one span.
 *
 * <p>Applies only to a {@code RestClient} without {@code performRequest(Request)}: from 6.4.0 on, the deprecated
 * overloads delegate to the {@code Request} API, which the other module instruments - instrumenting both would
 * record two spans per request.
 */
public final class LegacyApiInstrumentations {

    private static final String STRING = "java.lang.String";
    private static final String MAP = "java.util.Map";
    private static final String HTTP_ENTITY = "org.apache.http.HttpEntity";
    private static final String CONSUMER_FACTORY = "org.elasticsearch.client.HttpAsyncResponseConsumerFactory";
    private static final String RESPONSE_LISTENER = "org.elasticsearch.client.ResponseListener";

    private LegacyApiInstrumentations() {
    }

    /** Applies to a {@code RestClient} without {@code performRequest(Request)}. */
    abstract static class LegacyApiInstrumentation extends RestClientInstrumentation {

        @Override
        public ElementMatcher<? super TypeDescription> getTypeMatcher() {
            return named(REST_CLIENT).and(not(declaresMethod(named("performRequest")
                .and(takesArguments(1)).and(takesArgument(0, named(REQUEST))))));
        }
    }

    /** The 6-argument {@code performRequest}, which every synchronous request passes through once. */
    public static final class Sync extends LegacyApiInstrumentation {

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return named("performRequest").and(isPublic()).and(takesArguments(6))
                .and(takesArgument(0, named(STRING))).and(takesArgument(1, named(STRING)))
                .and(takesArgument(2, named(MAP))).and(takesArgument(3, named(HTTP_ENTITY)))
                .and(takesArgument(4, named(CONSUMER_FACTORY)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static Span onEnter(@Advice.Argument(0) String method, @Advice.Argument(1) String endpoint,
                                       @Advice.Argument(3) Object entity) {
                Span span = EsRequests.startSync(method, endpoint);
                if (span != null) {
                    EsRequests.captureBody(span, entity, HttpEntity.class);
                }
                return span;
            }

            @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
            public static void onExit(@Advice.Enter Span span, @Advice.Return Object response,
                                      @Advice.Thrown Throwable thrown) {
                EsRequests.endSync(span, response, thrown);
            }
        }
    }

    /** The 7-argument {@code performRequestAsync}, which every asynchronous request passes through once. */
    public static final class Async extends LegacyApiInstrumentation {

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return named("performRequestAsync").and(isPublic()).and(takesArguments(7))
                .and(takesArgument(0, named(STRING))).and(takesArgument(1, named(STRING)))
                .and(takesArgument(3, named(HTTP_ENTITY))).and(takesArgument(5, named(RESPONSE_LISTENER)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static Object onEnter(@Advice.Argument(0) String method, @Advice.Argument(1) String endpoint,
                                         @Advice.Argument(3) Object entity, @Advice.Argument(5) Object listener) {
                Object previous = EsRequests.startAsync(method, endpoint, listener);
                Span span = EsRequests.pendingSpan();
                if (span != null) {
                    EsRequests.captureBody(span, entity, HttpEntity.class);
                }
                return previous;
            }

            @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
            public static void onExit(@Advice.Enter Object previous, @Advice.Thrown Throwable thrown) {
                EsRequests.endAsyncCall(previous, thrown);
            }
        }
    }
}

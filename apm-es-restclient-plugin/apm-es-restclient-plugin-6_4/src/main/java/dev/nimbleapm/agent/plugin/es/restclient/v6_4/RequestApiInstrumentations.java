package dev.nimbleapm.agent.plugin.es.restclient.v6_4;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import org.apache.http.HttpEntity;
import org.elasticsearch.client.Request;

import dev.nimbleapm.agent.core.model.Span;
import dev.nimbleapm.agent.plugin.es.restclient.common.EsRequests;
import dev.nimbleapm.agent.plugin.es.restclient.common.RestClientInstrumentation;
import dev.nimbleapm.agent.sdk.ClassLoaderMatchers;

/**
 * Clients with the {@code Request} API (6.4.0 and later, including 7.x, 8.x and the 9.x low-level client): every
 * synchronous request passes exactly once through {@code performRequest(Request)} - the deprecated String-based
 * overloads of 6.4 to 6.8 delegate to it - and every asynchronous one through
 * {@code performRequestAsync(Request, ResponseListener)}, whatever it returns ({@code void} up to 7.4,
 * {@code Cancellable} from 7.5). Applies only where those methods exist: the module is chosen by API shape.
 */
public final class RequestApiInstrumentations {

    private RequestApiInstrumentations() {
    }

    private static final ElementMatcher<ClassLoader> REQUEST_API_VISIBLE =
        ClassLoaderMatchers.canLoad(RestClientInstrumentation.REQUEST);

    /** Applies to a {@code RestClient} with {@code performRequest(Request)}, in a loader that sees {@code Request}. */
    abstract static class RequestApiInstrumentation extends RestClientInstrumentation {

        @Override
        public ElementMatcher<ClassLoader> getClassLoaderMatcher() {
            return REQUEST_API_VISIBLE;
        }

        @Override
        public ElementMatcher<? super TypeDescription> getTypeMatcher() {
            return named(REST_CLIENT).and(declaresMethod(named("performRequest")
                .and(takesArguments(1)).and(takesArgument(0, named(REQUEST)))));
        }
    }

    /** {@code Response performRequest(Request)}. */
    public static final class Sync extends RequestApiInstrumentation {

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return named("performRequest").and(isPublic()).and(takesArguments(1))
                .and(takesArgument(0, named(REQUEST)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static Span onEnter(@Advice.Argument(0) Request request) {
                Span span = EsRequests.startSync(request.getMethod(), request.getEndpoint());
                if (span != null) {
                    EsRequests.captureBody(span, request.getEntity(), HttpEntity.class);
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

    /** {@code performRequestAsync(Request, ResponseListener)}; the span ends when the internal listener completes. */
    public static final class Async extends RequestApiInstrumentation {

        @Override
        public ElementMatcher<? super MethodDescription> getMethodMatcher() {
            return named("performRequestAsync").and(isPublic()).and(takesArguments(2))
                .and(takesArgument(0, named(REQUEST)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static Object onEnter(@Advice.Argument(0) Request request, @Advice.Argument(1) Object listener) {
                Object previous = EsRequests.startAsync(request.getMethod(), request.getEndpoint(), listener);
                Span span = EsRequests.pendingSpan();
                if (span != null) {
                    EsRequests.captureBody(span, request.getEntity(), HttpEntity.class);
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

package dev.nimbleapm.agent.plugin.api;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;

import java.util.Collection;
import java.util.Collections;

import net.bytebuddy.description.NamedElement;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import dev.nimbleapm.agent.sdk.ClassLoaderMatchers;
import dev.nimbleapm.agent.sdk.ElasticApmInstrumentation;

/**
 * Base of the instrumentations that bring {@code co.elastic.apm:apm-agent-api} to life. The API jar ships hook
 * methods that do nothing (e.g. {@code ElasticApm.doStartTransaction()} returns null, so the application gets no-op
 * objects without an agent); each instrumentation gives one hook its behaviour. The API's wrappers keep our
 * transaction or span in their {@code span} field. Objects handed to the API are marked exposed and are never reused.
 *
 * <p>Each subclass has its advice in a nested class named {@code Hook}.
 */
public abstract class ApiInstrumentation extends ElasticApmInstrumentation {

    public static final String GROUP = "public-api";
    private static final ElementMatcher<ClassLoader> API_VISIBLE =
        ClassLoaderMatchers.canLoad("co.elastic.apm.api.ElasticApm");

    private final String typeName;
    private final ElementMatcher<? super MethodDescription> methodMatcher;

    protected ApiInstrumentation(String simpleTypeName, ElementMatcher<? super MethodDescription> methodMatcher) {
        this.typeName = "co.elastic.apm.api." + simpleTypeName;
        this.methodMatcher = methodMatcher;
    }

    protected ApiInstrumentation(String simpleTypeName, String methodName) {
        this(simpleTypeName, named(methodName));
    }

    @Override
    public ElementMatcher<? super NamedElement> getTypeMatcherPreFilter() {
        return nameStartsWith("co.elastic.apm.api.");
    }

    @Override
    public Collection<String> getTypeNamePrefixes() {
        return Collections.singletonList(typeName);
    }

    @Override
    public ElementMatcher<? super TypeDescription> getTypeMatcher() {
        return named(typeName);
    }

    @Override
    public ElementMatcher<ClassLoader> getClassLoaderMatcher() {
        return API_VISIBLE;
    }

    @Override
    public ElementMatcher<? super MethodDescription> getMethodMatcher() {
        return methodMatcher;
    }

    @Override
    public Collection<String> getInstrumentationGroupNames() {
        return Collections.singletonList(GROUP);
    }

    @Override
    public String getAdviceClassName() {
        return getClass().getName() + "$Hook";
    }
}

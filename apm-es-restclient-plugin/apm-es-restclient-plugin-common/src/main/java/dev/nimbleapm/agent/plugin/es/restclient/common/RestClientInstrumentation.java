package dev.nimbleapm.agent.plugin.es.restclient.common;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import java.util.Collection;
import java.util.Collections;

import net.bytebuddy.description.NamedElement;
import net.bytebuddy.matcher.ElementMatcher;

import dev.nimbleapm.agent.sdk.ClassLoaderMatchers;
import dev.nimbleapm.agent.sdk.ElasticApmInstrumentation;

/**
 * Base of the Elasticsearch low-level REST client instrumentations: the group name, a pre-filter by package, and a
 * class-loader filter on the client being visible. Advice classes are nested classes named {@code Hook}.
 */
public abstract class RestClientInstrumentation extends ElasticApmInstrumentation {

    public static final String GROUP = "elasticsearch-restclient";
    public static final String REST_CLIENT = "org.elasticsearch.client.RestClient";
    public static final String INTERNAL_LISTENER = "org.elasticsearch.client.RestClient$FailureTrackingResponseListener";
    public static final String REQUEST = "org.elasticsearch.client.Request";

    private static final ElementMatcher<ClassLoader> CLIENT_VISIBLE = ClassLoaderMatchers.canLoad(REST_CLIENT);

    @Override
    public ElementMatcher<? super NamedElement> getTypeMatcherPreFilter() {
        return nameStartsWith("org.elasticsearch.client.RestClient");
    }

    @Override
    public Collection<String> getTypeNamePrefixes() {
        return Collections.singletonList(REST_CLIENT);
    }

    @Override
    public ElementMatcher<ClassLoader> getClassLoaderMatcher() {
        return CLIENT_VISIBLE;
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

package com.example.apm.plugin;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.util.Collection;
import java.util.Collections;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import dev.nimbleapm.agent.sdk.ElasticApmInstrumentation;

/**
 * A third party's instrumentation: times {@code Inventory.reserve(String)} of the sample application as a span named
 * {@code Inventory.reserve <item>}.
 */
public class InventoryInstrumentation extends ElasticApmInstrumentation {

    @Override
    public Collection<String> getTypeNamePrefixes() {
        return Collections.singletonList("dev.nimbleapm.it.apps.Inventory");
    }

    @Override
    public ElementMatcher<? super TypeDescription> getTypeMatcher() {
        return named("dev.nimbleapm.it.apps.Inventory");
    }

    @Override
    public ElementMatcher<? super MethodDescription> getMethodMatcher() {
        return named("reserve");
    }

    @Override
    public Collection<String> getInstrumentationGroupNames() {
        return Collections.singletonList("inventory");
    }

    @Override
    public String getAdviceClassName() {
        return "com.example.apm.plugin.InventoryAdvice";
    }
}

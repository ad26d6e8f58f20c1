package dev.nimbleapm.agent.sdk;

import java.util.Collection;
import java.util.Collections;

import net.bytebuddy.description.NamedElement;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * One instrumentation: which methods of which types get which advice. Plugins extend this class and list their
 * subclasses in {@code META-INF/services/dev.nimbleapm.agent.sdk.ElasticApmInstrumentation}; the agent finds them
 * with {@link java.util.ServiceLoader}, in its own jar and in the jars of {@code plugins_dir}.
 *
 * <h2>Contract for plugin authors</h2>
 * <ul>
 *   <li>This class holds matchers only. It must never load a class of the instrumented library (it is loaded
 *   before the library and on the bootstrap class path, where the library is not visible): refer to library types
 *   by name.</li>
 *   <li>Matchers are evaluated for every class the JVM loads, in this order: {@link #getTypeMatcherPreFilter()}
 *   (must be cheap: by name only), then {@link #getClassLoaderMatcher()}, then {@link #getTypeMatcher()} (may look at
 *   the type's structure - declared methods, super types - which costs parsing the class file), then
 *   {@link #getMethodMatcher()} for each method of a matching type.</li>
 *   <li>The advice ({@link #getAdviceClassName()}) is a separate class with static {@code @Advice.OnMethodEnter} /
 *   {@code @Advice.OnMethodExit} methods, named by string so that it is never loaded: Byte Buddy copies its bytecode
 *   into the instrumented method. Inlined advice may use only the JDK, the agent's core and SDK classes, and the
 *   instrumented library's classes.</li>
 *   <li>Advice must never break the application: both annotations must declare {@code suppress = Throwable.class}
 *   (advice that does not is refused at start-up); advice must not assign arguments, return values or thrown
 *   exceptions (they are read-only), must not consume a stream the library still needs, must not block and must
 *   not write to the console. Suppressed exceptions are counted and logged once by the agent.</li>
 *   <li>Advice must not rely on adding fields or methods to instrumented classes: classes that are already loaded
 *   (late attach) are retransformed, and retransformation forbids class format changes.</li>
 *   <li>A class that must implement a library type cannot live on the bootstrap path: list it in
 *   {@link #getHelperClassNames()} and it is injected into the library's class loader.</li>
 * </ul>
 */
public abstract class ElasticApmInstrumentation {

    /**
     * A cheap filter on the type's name, evaluated first for every loaded type. Override it whenever the type
     * matcher is more than a name check. Default: any.
     */
    public ElementMatcher<? super NamedElement> getTypeMatcherPreFilter() {
        return ElementMatchers.any();
    }

    /**
     * Names, or name prefixes, of every type this instrumentation may apply to (e.g.
     * {@code org.elasticsearch.client.RestClient}). When every instrumentation declares them, the agent does not even
     * start Byte Buddy until a class with such a name is loaded - which keeps the application's start-up fast.
     * Default: null, meaning "any type", which makes the agent prepare everything at start-up.
     */
    public Collection<String> getTypeNamePrefixes() {
        return null;
    }

    /** The types to instrument; may inspect structure (evaluated only after the pre-filter and loader matcher). */
    public abstract ElementMatcher<? super TypeDescription> getTypeMatcher();

    /**
     * Class loaders worth looking at, typically those that can see a class only the supported API shape has (see
     * {@link ClassLoaderMatchers#canLoad(String)}). Default: any.
     */
    public ElementMatcher<ClassLoader> getClassLoaderMatcher() {
        return ElementMatchers.any();
    }

    /** The methods of a matching type that get the advice. */
    public abstract ElementMatcher<? super MethodDescription> getMethodMatcher();

    /**
     * Names of the groups this instrumentation belongs to; {@code disable_instrumentations} and
     * {@code enable_instrumentations} switch groups.
     */
    public abstract Collection<String> getInstrumentationGroupNames();

    /** Fully-qualified name of the advice class. It is read as bytecode, never loaded. */
    public abstract String getAdviceClassName();

    /** Classes to inject into the instrumented type's class loader before the advice runs. Default: none. */
    public Collection<String> getHelperClassNames() {
        return Collections.emptyList();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + getInstrumentationGroupNames();
    }
}

package dev.nimbleapm.agent.sdk;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

import dev.nimbleapm.agent.core.config.AgentConfig;
import dev.nimbleapm.agent.core.config.CoreOptions;
import dev.nimbleapm.agent.core.logging.AgentLogger;

/**
 * Wires the discovered instrumentations into one Byte Buddy {@link AgentBuilder}: matchers evaluated cheapest first,
 * advice inlined from bytecode (never loaded), suppressed advice exceptions routed to {@link AdviceErrors}, helper
 * classes injected where needed, and classes that are already loaded retransformed (so a late attach traces exactly
 * like {@code -javaagent}). Class format changes are disabled: advice only adds code to method bodies.
 */
public final class AgentInstaller {

    private static final AgentLogger logger = AgentLogger.getLogger(AgentInstaller.class);

    private AgentInstaller() {
    }

    /** The discovered instrumentations that configuration leaves switched on. */
    public static List<InstrumentationDiscovery.Found> enabled(AgentConfig config,
                                                               List<InstrumentationDiscovery.Found> found) {
        List<String> disabled = config.get(CoreOptions.DISABLE_INSTRUMENTATIONS);
        List<String> enabled = config.get(CoreOptions.ENABLE_INSTRUMENTATIONS);
        List<InstrumentationDiscovery.Found> on = new ArrayList<InstrumentationDiscovery.Found>();
        for (InstrumentationDiscovery.Found f : found) {
            if (isEnabled(f.instrumentation.getInstrumentationGroupNames(), disabled, enabled)) {
                on.add(f);
            } else {
                logger.debug("Instrumentation {} is switched off by configuration", f.instrumentation);
            }
        }
        return on;
    }

    /**
     * Installs the given instrumentations on {@code instrumentation}, retransforming matching classes that are
     * already loaded. Returns the transformer, or null when nothing was installed.
     */
    public static ResettableClassFileTransformer install(Instrumentation instrumentation,
                                                         List<InstrumentationDiscovery.Found> found,
                                                         ClassFileLocator agentLocator) {
        AgentBuilder builder = builder(found, agentLocator);
        return builder == null ? null : builder.installOn(instrumentation);
    }

    /**
     * The transformer for the given instrumentations, not registered anywhere: the caller decides which classes it
     * sees (see {@link DeferredTransformer}). Null when nothing is to be installed.
     */
    public static java.lang.instrument.ClassFileTransformer buildTransformer(List<InstrumentationDiscovery.Found> found,
                                                                             ClassFileLocator agentLocator) {
        AgentBuilder builder = builder(found, agentLocator);
        return builder == null ? null : builder.makeRaw();
    }

    private static AgentBuilder builder(List<InstrumentationDiscovery.Found> found, ClassFileLocator agentLocator) {
        LoggingListener listener = new LoggingListener();
        AgentBuilder builder = newAgentBuilder()
            .disableClassFormatChanges()
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Reiterating.INSTANCE)
            .with(AgentBuilder.PoolStrategy.Default.FAST)
            .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
            .with(listener)
            .ignore(nameStartsWith("dev.nimbleapm.agent.")
                .or(nameStartsWith("net.bytebuddy."))
                .or(nameStartsWith("sun.reflect."))
                .or(nameStartsWith("jdk.internal.reflect."))
                .or(nameStartsWith("java.lang.invoke.LambdaForm"))
                .or(isSynthetic()));
        int installed = 0;
        List<String> names = new ArrayList<String>();
        for (InstrumentationDiscovery.Found f : found) {
            ElasticApmInstrumentation i = f.instrumentation;
            ClassFileLocator locator = f.pluginLoader == null ? agentLocator
                : new PluginLocator(f.pluginLoader, agentLocator);
            if (!adviceSuppressesThrowable(i, locator)) {
                continue;
            }
            builder = builder.type(new InstrumentationMatcher(i)).transform(transformer(i, locator));
            listener.watch(i.getTypeMatcherPreFilter());
            installed++;
            names.add(i.getClass().getSimpleName());
        }
        if (installed == 0) {
            logger.info("No instrumentation enabled");
            return null;
        }
        logger.debug("Installing instrumentations {}", names);
        return builder;
    }

    /**
     * Byte Buddy's default builder prepares "self-injection" of type initializers (which needs
     * {@code sun.misc.Unsafe}, and on JDK 24+ makes the JVM print a warning into the application's console). We never
     * change class formats, so it is never used: keep it from being prepared.
     */
    private static AgentBuilder newAgentBuilder() {
        String property = "net.bytebuddy.nexus.disabled";
        String previous = System.getProperty(property);
        System.setProperty(property, "true");
        try {
            return new AgentBuilder.Default();
        } finally {
            if (previous == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, previous);
            }
        }
    }

    static boolean isEnabled(Collection<String> groups, List<String> disabled, List<String> enabled) {
        for (String group : groups) {
            if (disabled.contains(group)) {
                return false;
            }
        }
        if (enabled.isEmpty()) {
            return true;
        }
        for (String group : groups) {
            if (enabled.contains(group)) {
                return true;
            }
        }
        return false;
    }

    private static AgentBuilder.Transformer transformer(final ElasticApmInstrumentation i,
                                                        final ClassFileLocator locator) {
        final Advice.ExceptionHandler handler = new Advice.ExceptionHandler.Simple(MethodInvocation.invoke(
            TypeDescription.ForLoadedType.of(AdviceErrors.class).getDeclaredMethods()
                .filter(net.bytebuddy.matcher.ElementMatchers.named("onAdviceError")).getOnly()));
        final Collection<String> helpers = i.getHelperClassNames();
        final String adviceName = i.getAdviceClassName();
        return new AgentBuilder.Transformer() {
            @Override
            public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
                                                    ClassLoader classLoader, JavaModule module,
                                                    ProtectionDomain protectionDomain) {
                logger.debug("{} instruments {}", i.getClass().getName(), type.getName());
                if (!helpers.isEmpty() && classLoader != null) {
                    HelperInjector.inject(classLoader, helpers, locator);
                }
                try {
                    // the advice's signature names library types: resolve them where the instrumented class lives
                    ClassFileLocator adviceLocator = new ClassFileLocator.Compound(locator,
                        ClassFileLocator.ForClassLoader.of(classLoader));
                    TypeDescription advice = TypePool.Default.of(adviceLocator).describe(adviceName).resolve();
                    return builder.visit(Advice.to(advice, adviceLocator).withExceptionHandler(handler)
                        .on(i.getMethodMatcher()));
                } catch (RuntimeException e) {
                    // one broken instrumentation must not take the others on this class down with it
                    logger.warnOnce("advice:" + adviceName + ":" + type.getName(), "{} is not applied to {}: {}",
                        i.getClass().getName(), type.getName(), e);
                    return builder;
                }
            }
        };
    }

    /** Refuses advice that could throw into the application (the SDK contract), with one clear log line. */
    private static boolean adviceSuppressesThrowable(ElasticApmInstrumentation i, ClassFileLocator locator) {
        TypePool.Resolution resolution = TypePool.Default.of(locator).describe(i.getAdviceClassName());
        if (!resolution.isResolved()) {
            logger.warn("Instrumentation {} is skipped: its advice class {} cannot be found", i,
                i.getAdviceClassName());
            return false;
        }
        boolean any = false;
        for (MethodDescription.InDefinedShape method : resolution.resolve().getDeclaredMethods()) {
            for (AnnotationDescription annotation : method.getDeclaredAnnotations()) {
                String name = annotation.getAnnotationType().getName();
                if (name.equals(Advice.OnMethodEnter.class.getName()) || name.equals(
                    Advice.OnMethodExit.class.getName())) {
                    any = true;
                    Object suppress = annotation.getValue("suppress").resolve();
                    if (!(suppress instanceof TypeDescription)
                        || !((TypeDescription) suppress).getName().equals(Throwable.class.getName())) {
                        logger.warn("Instrumentation {} is skipped: advice method {} must declare suppress = "
                            + "Throwable.class so it can never throw into the application", i, method.getName());
                        return false;
                    }
                }
            }
        }
        if (!any) {
            logger.warn("Instrumentation {} is skipped: {} has no @Advice.OnMethodEnter/OnMethodExit method", i,
                i.getAdviceClassName());
        }
        return any;
    }

    /**
     * Evaluates an instrumentation's matchers cheapest first: name pre-filter, class loader, then the type matcher
     * that may parse the class file.
     */
    private static final class InstrumentationMatcher implements AgentBuilder.RawMatcher {
        private final ElasticApmInstrumentation instrumentation;
        private final ElementMatcher<? super net.bytebuddy.description.NamedElement> preFilter;
        private final ElementMatcher<ClassLoader> loaderMatcher;
        private final ElementMatcher<? super TypeDescription> typeMatcher;

        InstrumentationMatcher(ElasticApmInstrumentation instrumentation) {
            this.instrumentation = instrumentation;
            this.preFilter = instrumentation.getTypeMatcherPreFilter();
            this.loaderMatcher = instrumentation.getClassLoaderMatcher();
            this.typeMatcher = instrumentation.getTypeMatcher();
        }

        @Override
        public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module,
                               Class<?> classBeingRedefined, ProtectionDomain protectionDomain) {
            try {
                return preFilter.matches(type) && loaderMatcher.matches(loader) && typeMatcher.matches(type);
            } catch (Throwable t) {
                logger.debug("Matcher of {} failed on {}: {}", instrumentation, type.getName(), t);
                return false;
            }
        }
    }

    /** Advice of an external plugin comes from its jar (rewritten); everything else from the agent. */
    private static final class PluginLocator implements ClassFileLocator {
        private final PluginJarClassLoader loader;
        private final ClassFileLocator fallback;

        PluginLocator(PluginJarClassLoader loader, ClassFileLocator fallback) {
            this.loader = loader;
            this.fallback = fallback;
        }

        @Override
        public Resolution locate(String name) throws java.io.IOException {
            byte[] bytes = loader.classBytes(name);
            return bytes != null ? new Resolution.Explicit(bytes) : fallback.locate(name);
        }

        @Override
        public void close() {
        }
    }

    /**
     * Reports transformations at DEBUG, and failures at WARN once per type - but only for types some
     * instrumentation is interested in (by its name pre-filter); failures to describe unrelated generated classes
     * (proxies, lambdas) during retransformation are not worth anyone's attention.
     */
    private static final class LoggingListener extends AgentBuilder.Listener.Adapter {
        private final Map<String, Boolean> reported = new ConcurrentHashMap<String, Boolean>();
        private final List<ElementMatcher<? super net.bytebuddy.description.NamedElement>> interesting =
            new ArrayList<ElementMatcher<? super net.bytebuddy.description.NamedElement>>();

        void watch(ElementMatcher<? super net.bytebuddy.description.NamedElement> preFilter) {
            interesting.add(preFilter);
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            logger.debug("Instrumented {} ({})", type.getName(), loaded ? "retransformed" : "at load");
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            boolean relevant = false;
            TypeDescription named = new TypeDescription.Latent(typeName, 0, null);
            for (ElementMatcher<? super net.bytebuddy.description.NamedElement> m : interesting) {
                try {
                    relevant |= m.matches(named);
                } catch (Throwable ignored) {
                    // a pre-filter that needs more than the name is not a pre-filter
                }
            }
            if (relevant && reported.putIfAbsent(typeName, Boolean.TRUE) == null) {
                logger.warn("Could not instrument {}: {}", typeName, throwable);
            } else {
                logger.debug("Could not instrument {}: {}", typeName, throwable);
            }
        }
    }
}

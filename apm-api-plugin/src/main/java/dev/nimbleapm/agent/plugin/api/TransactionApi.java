package dev.nimbleapm.agent.plugin.api;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import dev.nimbleapm.agent.core.model.Transaction;

/** Instrumentations of {@code co.elastic.apm.api.TransactionImpl}: what only transactions have. */
public final class TransactionApi {

    private TransactionApi() {
    }

    /** {@code setResult(String)}. */
    public static final class SetResult extends ApiInstrumentation {
        public SetResult() {
            super("TransactionImpl", named("setResult").and(takesArguments(String.class)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object transaction,
                                       @Advice.Argument(0) String result) {
                Transaction target = ApiHandle.liveTransaction(transaction);
                if (target != null) {
                    target.setResult(result);
                }
            }
        }
    }

    /** {@code setFrameworkName(String)}. */
    public static final class SetFrameworkName extends ApiInstrumentation {
        public SetFrameworkName() {
            super("TransactionImpl", named("setFrameworkName").and(takesArguments(String.class)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object transaction, @Advice.Argument(0) String name) {
                Transaction target = ApiHandle.liveTransaction(transaction);
                if (target != null) {
                    target.setFrameworkName(name);
                }
            }
        }
    }

    /** {@code setUser(id, email, username)} and {@code setUser(id, email, username, domain)}. */
    public static final class SetUser extends ApiInstrumentation {
        public SetUser() {
            super("TransactionImpl", named("setUser").and(takesArguments(3)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object transaction, @Advice.Argument(0) String id,
                                       @Advice.Argument(1) String email, @Advice.Argument(2) String username) {
                Transaction target = ApiHandle.liveTransaction(transaction);
                if (target != null) {
                    target.setUser(id, email, username, null);
                }
            }
        }
    }

    /** {@code setUser(id, email, username, domain)}. */
    public static final class SetUserWithDomain extends ApiInstrumentation {
        public SetUserWithDomain() {
            super("TransactionImpl", named("setUser").and(takesArguments(4)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object transaction, @Advice.Argument(0) String id,
                                       @Advice.Argument(1) String email, @Advice.Argument(2) String username,
                                       @Advice.Argument(3) String domain) {
                Transaction target = ApiHandle.liveTransaction(transaction);
                if (target != null) {
                    target.setUser(id, email, username, domain);
                }
            }
        }
    }

    /** {@code addCustomContext(key, String|Number|boolean)}. */
    public static final class AddCustomContext extends ApiInstrumentation {
        public AddCustomContext() {
            super("TransactionImpl", named("addCustomContext").and(takesArguments(2)));
        }

        public static final class Hook {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void onEnter(@Advice.FieldValue("span") Object transaction, @Advice.Argument(0) String key,
                                       @Advice.Argument(value = 1, typing = Assigner.Typing.DYNAMIC) Object value) {
                Transaction target = ApiHandle.liveTransaction(transaction);
                if (target != null && key != null && value != null) {
                    target.custom().put(key, value);
                }
            }
        }
    }

    /** {@code ensureParentId()}. */
    public static final class EnsureParentId extends ApiInstrumentation {
        public EnsureParentId() {
            super("TransactionImpl", named("ensureParentId").and(takesArguments(0)));
        }

        public static final class Hook {
            @Advice.OnMethodExit(suppress = Throwable.class)
            public static void onExit(@Advice.FieldValue("span") Object transaction,
                                      @Advice.Return(readOnly = false) String parentId) {
                parentId = ApiBridge.ensureParentId(transaction);
            }
        }
    }
}

package dev.nimbleapm.agent.attach;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The JDK's attach mechanism ({@code com.sun.tools.attach}, module {@code jdk.attach}), reached by reflection so that
 * this artifact compiles for Java 8 and fails with a clear message on a JRE that lacks it.
 */
class Jvms {

    /** There is no attach mechanism in this JVM. */
    static final class AttachUnavailableException extends Exception {
        AttachUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Class<?> virtualMachine() throws AttachUnavailableException {
        try {
            return Class.forName("com.sun.tools.attach.VirtualMachine");
        } catch (ClassNotFoundException e) {
            throw new AttachUnavailableException("this Java runtime has no attach mechanism (module jdk.attach); "
                + "run the CLI with a JDK", e);
        }
    }

    List<JvmDescriptor> list() throws AttachUnavailableException {
        try {
            List<?> descriptors = (List<?>) virtualMachine().getMethod("list").invoke(null);
            List<JvmDescriptor> jvms = new ArrayList<JvmDescriptor>();
            for (Object d : descriptors) {
                String pid = (String) d.getClass().getMethod("id").invoke(d);
                String name = (String) d.getClass().getMethod("displayName").invoke(d);
                jvms.add(new JvmDescriptor(pid, name, user(pid)));
            }
            return jvms;
        } catch (AttachUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new AttachUnavailableException("cannot list the JVMs: " + e, e);
        }
    }

    private static String user(String pid) {
        try {
            Class<?> handle = Class.forName("java.lang.ProcessHandle");
            Object optional = handle.getMethod("of", long.class).invoke(null, Long.parseLong(pid));
            Object process = optional.getClass().getMethod("orElse", Object.class).invoke(optional, (Object) null);
            if (process == null) {
                return null;
            }
            Object info = handle.getMethod("info").invoke(process);
            Object user = info.getClass().getMethod("user").invoke(info);
            Object value = user.getClass().getMethod("orElse", Object.class).invoke(user, (Object) null);
            return value == null ? null : value.toString();
        } catch (Exception e) {
            return null;
        }
    }

    Properties systemProperties(String pid) throws Exception {
        Class<?> type = virtualMachine();
        Object vm = type.getMethod("attach", String.class).invoke(null, pid);
        try {
            return (Properties) type.getMethod("getSystemProperties").invoke(vm);
        } finally {
            detach(type, vm);
        }
    }

    void loadAgent(String pid, String agentJar, String arguments) throws Exception {
        Class<?> type = virtualMachine();
        Object vm = type.getMethod("attach", String.class).invoke(null, pid);
        try {
            type.getMethod("loadAgent", String.class, String.class).invoke(vm, agentJar, arguments);
        } finally {
            detach(type, vm);
        }
    }

    /** Methods are called through the public API type: the implementation class is not exported. */
    private static void detach(Class<?> type, Object vm) throws Exception {
        type.getMethod("detach").invoke(vm);
    }
}

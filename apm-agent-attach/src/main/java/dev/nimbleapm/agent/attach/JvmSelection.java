package dev.nimbleapm.agent.attach;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which JVMs the CLI attaches to: explicit process ids, or those whose main class or jar (the first word of the
 * command) matches an {@code --include-main} pattern and no {@code --exclude-main} pattern, or all of them
 * ({@code --include-all}, still subject to excludes). The CLI's own JVM is never selected.
 */
final class JvmSelection {

    private final List<String> pids = new ArrayList<String>();
    private final List<Pattern> includes = new ArrayList<Pattern>();
    private final List<Pattern> excludes = new ArrayList<Pattern>();
    private boolean all;

    JvmSelection pid(String pid) {
        pids.add(pid);
        return this;
    }

    JvmSelection include(String regex) {
        includes.add(Pattern.compile(regex));
        return this;
    }

    JvmSelection exclude(String regex) {
        excludes.add(Pattern.compile(regex));
        return this;
    }

    JvmSelection all() {
        this.all = true;
        return this;
    }

    boolean isEmpty() {
        return pids.isEmpty() && includes.isEmpty() && !all;
    }

    List<String> pids() {
        return pids;
    }

    boolean byPattern() {
        return all || !includes.isEmpty();
    }

    boolean matches(JvmDescriptor jvm, String ownPid) {
        if (jvm.pid.equals(ownPid)) {
            return false;
        }
        if (pids.contains(jvm.pid)) {
            return true;
        }
        for (Pattern exclude : excludes) {
            if (exclude.matcher(jvm.main()).find() || exclude.matcher(jvm.command).find()) {
                return false;
            }
        }
        if (all) {
            return true;
        }
        for (Pattern include : includes) {
            if (include.matcher(jvm.main()).find()) {
                return true;
            }
        }
        return false;
    }
}

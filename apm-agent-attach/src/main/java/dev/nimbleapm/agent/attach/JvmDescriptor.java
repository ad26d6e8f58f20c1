package dev.nimbleapm.agent.attach;

/** A JVM running on this machine: its process id, what it runs (main class or jar, and arguments), its user. */
final class JvmDescriptor {

    final String pid;
    final String command;
    final String user;

    JvmDescriptor(String pid, String command, String user) {
        this.pid = pid;
        this.command = command == null ? "" : command;
        this.user = user == null ? "?" : user;
    }

    /** The main class or jar: the first word of the command. */
    String main() {
        String trimmed = command.trim();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    @Override
    public String toString() {
        return String.format("%-8s %-12s %s", pid, user, command.isEmpty() ? "(unknown main)" : command);
    }
}

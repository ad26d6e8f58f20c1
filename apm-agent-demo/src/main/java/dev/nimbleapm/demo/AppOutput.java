package dev.nimbleapm.demo;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.nimbleapm.agent.testkit.RunningJvm;

/**
 * Copies the application's output to the console as it comes, one complete line at a time: standard output prefixed
 * with {@code "app | "}, standard error with {@code "app ! "}, except the agent's own routine log lines (INFO and
 * below), which only go to the log file. Remembers the agent's start message for the summary.
 */
final class AppOutput {

    /** The agent's log line format: {@code 2026-01-02 10:11:12.345 [nimble-apm] INFO AgentStarter - message}. */
    private static final Pattern AGENT_LINE = Pattern.compile("\\[nimble-apm] (TRACE|DEBUG|INFO|WARN|ERROR) (.*)$");
    private static final Pattern AGENT_STARTED = Pattern.compile("Nimble APM agent .* started .*");

    private final RunningJvm app;
    private final Console console;
    private int stdoutPrinted;
    private int stderrPrinted;
    private String agentStartMessage;

    AppOutput(RunningJvm app, Console console) {
        this.app = app;
        this.console = console;
    }

    /** Prints the complete lines that arrived since the last call; with {@code all}, an unfinished last line too. */
    synchronized void drain(boolean all) {
        stdoutPrinted = drain(app.stdout(), stdoutPrinted, all, false);
        stderrPrinted = drain(app.stderr(), stderrPrinted, all, true);
    }

    /** The agent's one-line start message from the application's standard error, if it printed one. */
    synchronized Optional<String> agentStartMessage() {
        return Optional.ofNullable(agentStartMessage);
    }

    private int drain(String text, int printed, boolean all, boolean stderr) {
        int position = printed;
        while (position < text.length()) {
            int newline = text.indexOf('\n', position);
            if (newline < 0 && !all) {
                break;
            }
            int end = newline < 0 ? text.length() : newline;
            String line = text.substring(position, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            position = newline < 0 ? text.length() : newline + 1;
            if (stderr) {
                stderrLine(line);
            } else {
                console.line("app | " + line);
            }
        }
        return position;
    }

    private void stderrLine(String line) {
        Matcher agent = AGENT_LINE.matcher(line);
        if (agent.find()) {
            String message = agent.group(2);
            int dash = message.indexOf(" - ");
            String text = dash >= 0 ? message.substring(dash + 3) : message;
            if (agentStartMessage == null && AGENT_STARTED.matcher(text).matches()) {
                agentStartMessage = text;
            }
            if (agent.group(1).equals("WARN") || agent.group(1).equals("ERROR")) {
                console.line("app ! agent " + agent.group(1) + ": " + text);
            }
            return;
        }
        console.line("app ! " + line);
    }
}

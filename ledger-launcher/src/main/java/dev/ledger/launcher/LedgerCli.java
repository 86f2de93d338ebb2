package dev.ledger.launcher;

import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./ledger}: the entry point; each job is a subcommand. */
@Command(name = "ledger",
        mixinStandardHelpOptions = true,
        versionProvider = LedgerCli.Version.class,
        description = "An event-sourced payment ledger on Kafka and PostgreSQL.",
        subcommands = {DevCommand.class, BenchCommand.class, AuditCommand.class, DeadLettersCommand.class,
                RebuildProjectionsCommand.class, KeysCommand.class, CommandLine.HelpCommand.class})
public final class LedgerCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new LedgerCli())
                .setExecutionExceptionHandler(new ErrorPrinter());
    }

    /** No subcommand: show what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * Prints a failed command's error as one line per cause instead of a stack trace: the runtime's
     * messages already name the log file to look at. The stack trace goes to the DEBUG log.
     */
    static final class ErrorPrinter implements CommandLine.IExecutionExceptionHandler {
        private static final Logger LOG = LoggerFactory.getLogger(ErrorPrinter.class);

        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            commandLine.getErr().println(describe(commandLine.getCommandName(), e));
            LOG.debug("{} failed", commandLine.getCommandName(), e);
            return 1;
        }

        static String describe(String command, Throwable error) {
            StringBuilder text = new StringBuilder("ledger ").append(command).append(": ").append(message(error));
            String previous = message(error);
            for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
                String message = message(cause);
                // Wrappers often repeat their cause's message: say each thing once.
                if (!previous.contains(message)) text.append(System.lineSeparator()).append("  caused by: ").append(message);
                previous = message;
                if (cause == cause.getCause()) break;
            }
            return text.toString();
        }

        private static String message(Throwable error) {
            return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        }
    }

    /** The Implementation-Version of the launcher jar; "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = LedgerCli.class.getPackage().getImplementationVersion();
            return new String[] {"ledger " + (version == null ? "development" : version)};
        }
    }
}

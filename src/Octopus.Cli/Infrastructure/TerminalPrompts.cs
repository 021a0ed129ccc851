using Spectre.Console;

namespace Octopus.Cli.Infrastructure;

/// <summary>Prompts on the real terminal. The prompts go to stderr so that stdout stays clean for --json.</summary>
internal static class TerminalPrompts
{
    private static IAnsiConsole ErrorConsole() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    public static string? ReadSecret(string prompt) =>
        ErrorConsole().Prompt(new TextPrompt<string>(prompt).Secret().AllowEmpty());

    public static bool? Confirm(string question) =>
        ErrorConsole().Prompt(new ConfirmationPrompt(question) { DefaultValue = false });
}

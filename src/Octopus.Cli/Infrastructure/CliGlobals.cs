using System.CommandLine;

namespace Octopus.Cli.Infrastructure;

/// <summary>The options every command accepts, and the glue that turns a parse result into a <see cref="CliContext"/>
/// for a command's body. Command groups get one instance and attach their actions through <see cref="Action"/>.</summary>
public sealed class CliGlobals
{
    public CliGlobals(CliHost host) => Host = host;

    public CliHost Host { get; }

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the results as JSON (the API's own records) instead of tables",
        Recursive = true,
    };

    public Option<string?> Url { get; } = new("--url")
    {
        Description = "Server URL (default: $OCTOPUS_URL, else the one saved by `octopus login`)",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token (default: $OCTOPUS_TOKEN, else the one saved by `octopus login`)",
        HelpName = "TOKEN",
        Recursive = true,
    };

    /// <summary>Sets <paramref name="command"/>'s action to run <paramref name="body"/> with a fresh context.
    /// Exceptions propagate to <see cref="CliApp"/>, which turns them into messages and exit codes.</summary>
    public void Action(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            var context = new CliContext(Host, parse.GetValue(Json), parse.GetValue(Url), parse.GetValue(Token));
            try
            {
                return await body(context, parse, ct);
            }
            finally
            {
                context.Output.Flush();
            }
        });
}

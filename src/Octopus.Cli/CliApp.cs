using System.CommandLine;
using System.Net;
using Octopus.Cli.Commands;
using Octopus.Cli.Infrastructure;
using Octopus.Client;

namespace Octopus.Cli;

/// <summary>Builds the command tree and runs one invocation: parse errors are exit 2, and every failure becomes one
/// "error: …" line on stderr with an exit code (<see cref="ExitCodes"/>), never a stack trace.</summary>
public static class CliApp
{
    public static RootCommand BuildRoot(CliGlobals globals)
    {
        var root = new RootCommand("octopus: manage VMs on an Octopus cluster. Log in first: octopus login --url URL --user NAME");
        root.Add(globals.Json);
        root.Add(globals.Url);
        root.Add(globals.Token);
        foreach (var command in CommandCatalog.All(globals)) root.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct = default)
    {
        var globals = new CliGlobals(host);
        var root = BuildRoot(globals);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) host.Error.WriteLine("error: " + error.Message);
            host.Error.WriteLine($"  See `{CommandPath(parse)} --help`.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = host.Out,
                Error = host.Error,
            }, ct);
        }
        catch (Exception e)
        {
            var (code, message, hint) = Describe(e, ResolveUrlForMessages(globals, parse));
            host.Error.WriteLine("error: " + message);
            if (hint is not null) host.Error.WriteLine("  " + hint);
            return code;
        }
    }

    /// <summary>Maps a failure to its exit code, message and advice.</summary>
    internal static (int Code, string Message, string? Hint) Describe(Exception e, string url) => e switch
    {
        CliException c => (c.ExitCode, c.Message, c.Hint),
        OctopusApiException { Status: HttpStatusCode.Unauthorized } a =>
            (ExitCodes.NotLoggedIn, $"the server at {url} did not accept the token: {a.Message}",
                $"Log in again: `octopus login --url {url} --user NAME`."),
        OctopusApiException a => (ExitCodes.Rejected, a.Message + (a.Field is { Length: > 0 } f && !a.Message.Contains(f, StringComparison.OrdinalIgnoreCase) ? $" (field: {f})" : ""), null),
        OctopusConnectionException c => (ExitCodes.CannotConnect, c.Message,
            $"Is a server running there? Start one with `octopus serve`, or log in to another with `octopus login --url URL --user NAME`."),
        TimeoutException t => (ExitCodes.Rejected, t.Message, "It may still finish; check with `octopus vm show`."),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted.", null),
        IOException or UnauthorizedAccessException => (ExitCodes.Rejected, e.Message, null),
        _ => (ExitCodes.Rejected, $"unexpected {e.GetType().Name}: {e.Message}", "This is a bug in octopus; please report it with the command you ran."),
    };

    private static string ResolveUrlForMessages(CliGlobals g, ParseResult parse)
    {
        try
        {
            return new CliContext(g.Host, false, parse.GetValue(g.Url), null).ResolveUrl().ToString();
        }
        catch (CliException)
        {
            return parse.GetValue(g.Url) ?? CliContext.DefaultUrl;
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(r.Command is RootCommand ? "octopus" : r.Command.Name);
        names.Reverse();
        return string.Join(" ", names);
    }
}

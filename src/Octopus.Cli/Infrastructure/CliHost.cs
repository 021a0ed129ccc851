namespace Octopus.Cli.Infrastructure;

/// <summary>Everything the CLI takes from its process: streams, environment, whether a person is at a terminal,
/// and (for tests) the network. Commands never touch <see cref="Console"/> directly, so they run in-process in tests.</summary>
public sealed record CliHost
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public required TextReader In { get; init; }

    /// <summary>Reads an environment variable; tests pass a dictionary.</summary>
    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    /// <summary>True when stdout is a terminal: tables get colour and waits get a spinner.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>True when stdin is a terminal: the CLI may prompt (passwords, confirmations).</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Replaces the network for every client the CLI makes (tests); null means real sockets.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Retry and polling settings for the clients the CLI makes; tests shorten them.</summary>
    public Client.OctopusClientOptions ClientOptions { get; init; } = new();

    /// <summary>Reads a secret without echoing it; null when there is no terminal to read from.</summary>
    public Func<string, string?> ReadSecret { get; init; } = _ => null;

    /// <summary>Asks a yes/no question; null when there is no terminal to ask on.</summary>
    public Func<string, bool?> Confirm { get; init; } = _ => null;

    /// <summary>The real process: Console streams and environment.</summary>
    public static CliHost FromProcess()
    {
        var inputIsTerminal = !Console.IsInputRedirected;
        var outputIsTerminal = !Console.IsOutputRedirected;
        return new CliHost
        {
            Out = Console.Out,
            Error = Console.Error,
            In = Console.In,
            GetEnvironmentVariable = Environment.GetEnvironmentVariable,
            OutputIsTerminal = outputIsTerminal,
            InputIsTerminal = inputIsTerminal,
            ReadSecret = inputIsTerminal ? TerminalPrompts.ReadSecret : _ => null,
            Confirm = inputIsTerminal ? TerminalPrompts.Confirm : _ => null,
        };
    }
}

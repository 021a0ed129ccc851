using Octopus.Cli.Infrastructure;
using Octopus.Client;

namespace Octopus.Cli.Tests;

/// <summary>Runs the CLI in-process against a <see cref="CannedApi"/>, with its own config file and environment.</summary>
public sealed class CliRunner : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("octopus-cli-test-").FullName;

    public CliRunner(CannedApi? api = null) => Api = api ?? new CannedApi();

    public CannedApi Api { get; }
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);
    public string ConfigPath => Path.Combine(_dir, "config.json");
    public bool InputIsTerminal { get; set; }
    public bool OutputIsTerminal { get; set; }
    public Func<string, bool?> Confirm { get; set; } = _ => null;

    /// <summary>Saves a login for <paramref name="url"/>, as `octopus login` would.</summary>
    public CliRunner LoggedIn(string url = "http://127.0.0.1:5080/", string token = "tok-123")
    {
        new ConfigStore(ConfigPath).Save(new CliConfig { Url = url, Token = token, Username = "admin", Role = "admin" });
        return this;
    }

    public async Task<(int Exit, string Out, string Err)> RunWithInputAsync(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var env = new Dictionary<string, string?>(Environment) { ["OCTOPUS_CONFIG"] = ConfigPath };
        var host = new CliHost
        {
            Out = stdout, Error = stderr, In = new StringReader(stdin),
            GetEnvironmentVariable = name => env.GetValueOrDefault(name),
            InputIsTerminal = InputIsTerminal, OutputIsTerminal = OutputIsTerminal,
            HttpHandler = Api,
            ClientOptions = new OctopusClientOptions { RetryBaseDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(1) },
            Confirm = Confirm,
        };
        var exit = await CliApp.RunAsync(args, host, TestContext.Current.CancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunWithInputAsync("", args);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

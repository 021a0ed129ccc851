using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The README's "PostgreSQL store" command as written — only the connection string is the test cluster's
/// fresh database, and a free port and data folder are added — as a real <c>octopus serve</c> process: the server
/// migrates the empty database, and a VM created through the API is a row in PostgreSQL, not in a SQLite file. Also
/// the start-up errors the README promises for a wrong provider or a missing connection string.</summary>
public class PostgresStoreReadmeTests
{
    [Fact]
    public async Task Readme_PostgresServe_KeepsTheStoreInPostgreSql()
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}.");
        var (environment, args) = ReadmeCommand();
        args.Should().Equal("serve");
        environment.Keys.Should().BeEquivalentTo("Octopus__Store__Provider", "Octopus__Store__ConnectionString");
        environment["Octopus__Store__ConnectionString"].Should().Contain("Target Session Attributes=primary");
        var database = await PostgresTestCluster.CreateDatabaseAsync();
        environment["Octopus__Store__ConnectionString"] = database;
        var dir = Directory.CreateTempSubdirectory("octopus-pg-readme-").FullName;
        var port = TestProcesses.FreeLoopbackPort();
        var url = $"http://127.0.0.1:{port}";
        var log = new StringBuilder();
        using var server = Start(environment, [.. args, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", dir], log);
        try
        {
            await TestProcesses.WaitForHealthAsync(server, url, () => { lock (log) return log.ToString(); });
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var token = await (await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", "readme-admin-pw"))).Content
                .ReadFromJsonAsync<TokenResponse>(System.Text.Json.JsonSerializerOptions.Web);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
            var created = await http.PostAsJsonAsync(ApiRoutes.Vms, new VmCreateRequest("web1", 2, 4L << 30, 20L << 30, "debian-12"));
            created.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT \"Name\" FROM \"Vms\"", connection);
            (await query.ExecuteScalarAsync()).Should().Be("web1");
            File.Exists(Path.Combine(dir, "octopus.db")).Should().BeFalse("the store is in PostgreSQL");
        }
        finally
        {
            await TestProcesses.StopAsync(server);
            await PostgresTestCluster.DropDatabaseAsync(database);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("mysql", null, "error: configuration error at Octopus:Store:Provider: 'mysql' is not a store provider; use sqlite or postgres.")]
    [InlineData("postgres", null, "error: configuration error at Octopus:Store:ConnectionString: the postgres store needs a connection string")]
    public async Task Serve_WrongStoreSettings_StopsWithTheSettingNamed(string provider, string? connection, string expected)
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}.");
        var dir = Directory.CreateTempSubdirectory("octopus-pg-bad-").FullName;
        var environment = new Dictionary<string, string?> { ["Octopus__Store__Provider"] = provider, ["Octopus__Store__ConnectionString"] = connection };
        var log = new StringBuilder();
        using var server = Start(environment, ["serve", "--port", "0", "--data", dir], log);
        try
        {
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            server.WaitForExit(); // drains the redirected output
            server.ExitCode.Should().Be(2);
            lock (log) log.ToString().Should().Contain(expected);
        }
        finally
        {
            await TestProcesses.StopAsync(server);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>The README's command: its <c>NAME=value</c> prefixes (quotes removed) and the arguments after <c>./octopus</c>.</summary>
    private static (Dictionary<string, string?> Environment, List<string> Args) ReadmeCommand()
    {
        var readme = File.ReadAllText(Path.Combine(TestProcesses.RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## PostgreSQL store", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```sh\n", StringComparison.Ordinal) + 6)..];
        var line = block[..block.IndexOf('\n', StringComparison.Ordinal)].Trim();
        var environment = new Dictionary<string, string?>();
        var rest = line;
        while (!rest.StartsWith("./octopus ", StringComparison.Ordinal))
        {
            var eq = rest.IndexOf('=', StringComparison.Ordinal);
            var name = rest[..eq];
            rest = rest[(eq + 1)..];
            string value;
            if (rest.StartsWith('\''))
            {
                var close = rest.IndexOf('\'', 1);
                value = rest[1..close];
                rest = rest[(close + 1)..].TrimStart();
            }
            else
            {
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                value = rest[..space];
                rest = rest[(space + 1)..].TrimStart();
            }
            environment[name] = value;
        }
        return (environment, [.. rest["./octopus ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
    }

    private static Process Start(Dictionary<string, string?> environment, string[] args, StringBuilder log)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliProcess.DllPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OCTOPUS_ADMIN_PASSWORD"] = "readme-admin-pw";
        start.Environment["Octopus__Simulation__OperationDelay"] = "00:00:00.100";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

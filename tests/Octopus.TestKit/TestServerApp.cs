using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Octopus.Contracts;
using AwesomeAssertions;
using Octopus.Server;

namespace Octopus.TestKit;

/// <summary>A whole Octopus server in the test process (test host instead of Kestrel), on a fresh data folder with
/// a small simulated cluster and no simulated delays. Dispose to stop it and delete the folder.</summary>
public sealed class TestServerApp : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-1";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TestServerApp(WebApplication app, string dataDirectory, bool ownsDirectory, string? postgresDatabase, bool ownsDatabase)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        _ownsDatabase = ownsDatabase;
        PostgresDatabase = postgresDatabase;
    }

    private readonly bool _ownsDirectory, _ownsDatabase;
    public WebApplication App { get; }
    public string DataDirectory { get; }

    /// <summary>The connection string of the server's PostgreSQL database (dropped on dispose); null on SQLite.</summary>
    public string? PostgresDatabase { get; }

    /// <summary>Default cluster: 3 hosts of 8 cores, 16 GiB, 200 GiB.</summary>
    public static string DefaultConfig(string extra = "") => $$"""
        {
          "Octopus": {
            "Cluster": { "Hosts": [ { "NamePrefix": "h", "Count": 3, "Cores": 8, "Memory": "16GiB", "Disk": "200GiB" } ] },
            "Scheduler": { "Interval": "00:00:00.05" },
            "Simulation": { "OperationDelay": "00:00:00", "PowerTransitionDelay": "00:00:00" },
            "DefaultQuota": { "MaxCores": 8, "MaxMemory": "16GiB", "MaxDisk": "300GiB", "MaxVms": 5 }
            {{extra}}
          }
        }
        """;

    /// <param name="customize">Runs after the server's own services are registered (e.g. to add a fake driver capability).</param>
    /// <param name="configFile">Where to write the configuration; default: <c>test-config.json</c> in the data folder
    /// (tests that check what the data folder holds put it elsewhere).</param>
    /// <param name="store">The store: SQLite in the data folder, or a fresh database on the test process's PostgreSQL
    /// cluster (<see cref="PostgresTestCluster"/>; the test skips where PostgreSQL is not installed). Default:
    /// <see cref="PostgresTestCluster.DefaultStore"/>.</param>
    /// <param name="sharedPostgresDatabase">A PostgreSQL database another server of the test already uses (a second
    /// replica); the caller drops it.</param>
    public static async Task<TestServerApp> StartAsync(string? config = null, string? dataDirectory = null, Action<WebApplicationBuilder>? customize = null,
        string? configFile = null, TestStoreKind? store = null, string? sharedPostgresDatabase = null)
    {
        var postgres = sharedPostgresDatabase
            ?? ((store ?? PostgresTestCluster.DefaultStore) == TestStoreKind.Postgres ? await PostgresTestCluster.CreateDatabaseAsync() : null);
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("octopus-test-").FullName;
        configFile ??= Path.Combine(dataDirectory, "test-config.json");
        await File.WriteAllTextAsync(configFile, config ?? DefaultConfig());
        var storeSettings = postgres is null ? null : new Dictionary<string, string?>
        {
            ["Octopus:Store:Provider"] = "postgres",
            ["Octopus:Store:ConnectionString"] = postgres,
        };
        try
        {
            var app = OctopusServer.Build(new ServerCommandLine(Port: 0, DataDirectory: dataDirectory, ConfigFile: configFile),
                b =>
                {
                    b.WebHost.UseTestServer();
                    // Information-level server logs from hundreds of in-process servers would bury the test report.
                    b.Logging.SetMinimumLevel(LogLevel.Warning);
                    customize?.Invoke(b);
                },
                storeSettings);
            await OctopusServer.PrepareStoreAsync(app.Services, AdminPassword, CancellationToken.None);
            await app.StartAsync();
            return new TestServerApp(app, dataDirectory, owns, postgres, ownsDatabase: sharedPostgresDatabase is null);
        }
        catch when (owns)
        {
            // A server that never started (a test of a bad configuration, say) leaves no folder behind in /tmp.
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => App.GetTestClient();

    public async Task<HttpClient> LoginAsync(string user = "admin", string password = AdminPassword)
    {
        var http = App.GetTestClient();
        var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(user, password));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>(Json))!.Token;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Creates a user (as admin) and returns a client logged in as them.</summary>
    public async Task<HttpClient> NewUserAsync(string name, QuotaDto? quota = null)
    {
        var admin = await LoginAsync();
        var r = await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest(name, "password-" + name, "user", quota));
        r.EnsureSuccessStatusCode();
        return await LoginAsync(name, "password-" + name);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (PostgresDatabase is not null && _ownsDatabase) await PostgresTestCluster.DropDatabaseAsync(PostgresDatabase);
        if (_ownsDirectory) try { Directory.Delete(DataDirectory, true); } catch (IOException) { }
    }
}

/// <summary>Helpers over the raw HTTP API.</summary>
public static class ApiExtensions
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage r) =>
        (await r.Content.ReadFromJsonAsync<T>(TestServerApp.Json))!;

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage r)
    {
        r.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static VmCreateRequest Vm(string name, int cores = 2, double memoryGiB = 4, double diskGiB = 20, string image = "debian-12") =>
        new(name, cores, (long)(memoryGiB * (1L << 30)), (long)(diskGiB * (1L << 30)), image);

    /// <summary>Polls the VM until <paramref name="state"/> (10 s at most: operations are instant in tests).</summary>
    public static async Task<VmDto> WaitForStateAsync(this HttpClient http, string vm, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        VmDto? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var r = await http.GetAsync(ApiRoutes.Vm(vm));
            if (r.IsSuccessStatusCode)
            {
                last = await r.ReadAsync<VmDto>();
                if (last.State == state) return last;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"VM {vm} did not reach {state}; last seen {last?.State} ({last?.StatusReason})");
    }

    public static async Task WaitUntilGoneAsync(this HttpClient http, string vm)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if ((await http.GetAsync(ApiRoutes.Vm(vm))).StatusCode == System.Net.HttpStatusCode.NotFound) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"VM {vm} was not deleted");
    }
}

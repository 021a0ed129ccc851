using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Octopus.Application.Configuration;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Configuration;

/// <summary>The per-section options (<c>Octopus:Simulation</c>, <c>Auth</c>, <c>DefaultQuota</c>, <c>Power</c>) through
/// <c>octopus serve</c>'s own entry point: a bad value stops it with exit code 2 and one line naming the key, before any
/// data folder or store exists; good values are bound; the README's Configuration block starts as written.</summary>
public sealed class ConfigurationSectionTests
{
    [Theory]
    // Out of range.
    [InlineData("\"Simulation\": { \"OperationDelay\": \"00:20:00\" }", "Octopus:Simulation:OperationDelay", "out of range")]
    [InlineData("\"Auth\": { \"TokenLifetime\": \"00:00:10\" }", "Octopus:Auth:TokenLifetime", "out of range")]
    [InlineData("\"DefaultQuota\": { \"MaxCores\": -1 }", "Octopus:DefaultQuota:MaxCores", "zero or more")]
    [InlineData("\"DefaultQuota\": { \"MaxMemory\": \"lots\" }", "Octopus:DefaultQuota:MaxMemory", "not a size")]
    [InlineData("\"Power\": { \"Poll\": \"00:00:00.001\" }", "Octopus:Power:Poll", "out of range")]
    // A key the section does not have.
    [InlineData("\"Schedular\": { \"Strategy\": \"pack\" }", "Octopus:Schedular", "is not a setting or a section*the sections*Scheduler")]
    [InlineData("\"Prot\": 8080", "Octopus:Prot", "is not a setting or a section*the settings*Port")]
    [InlineData("\"Simulation\": { \"Speed\": 2 }", "Octopus:Simulation:Speed", "is not a setting")]
    [InlineData("\"Auth\": { \"Lifetime\": \"1.00:00:00\" }", "Octopus:Auth:Lifetime", "is not a setting")]
    [InlineData("\"DefaultQuota\": { \"MaxGpus\": 2 }", "Octopus:DefaultQuota:MaxGpus", "is not a setting")]
    [InlineData("\"Power\": { \"GracefulTimeout\": \"00:01:00\" }", "Octopus:Power:GracefulTimeout", "is not a setting")]
    // A value of the wrong type.
    [InlineData("\"Simulation\": { \"Seed\": \"many\" }", "Octopus:Simulation:Seed", "is not a whole number")]
    [InlineData("\"Auth\": { \"TokenLifetime\": \"soon\" }", "Octopus:Auth:TokenLifetime", "is not a time span")]
    [InlineData("\"DefaultQuota\": { \"MaxVms\": \"many\" }", "Octopus:DefaultQuota:MaxVms", "is not a whole number")]
    [InlineData("\"Power\": { \"ForceOffTimeout\": \"later\" }", "Octopus:Power:ForceOffTimeout", "is not a time span")]
    [InlineData("\"Metrics\": { \"RequireAuthentication\": \"sometimes\" }", "Octopus:Metrics:RequireAuthentication", "is not true or false")]
    [InlineData("\"Metrics\": { \"RequireAuth\": true }", "Octopus:Metrics:RequireAuth", "is not a setting")]
    // The sections that replaced the one settings record.
    [InlineData("\"Bind\": \"localhost\"", "Octopus:Bind", "not an IP address")]
    [InlineData("\"Driver\": \"xen\"", "Octopus:Driver", "use simulated or qemu")]
    [InlineData("\"Driver\": \"qemu\", \"Agents\": { \"JoinToken\": \"short\" }", "Octopus:Agents:JoinToken", "at least 16 characters")]
    [InlineData("\"Agents\": { \"HeartbeatTimeout\": \"00:00:01\" }", "Octopus:Agents:HeartbeatTimeout", "out of range")]
    [InlineData("\"Store\": { \"Provider\": \"mysql\" }", "Octopus:Store:Provider", "use sqlite or postgres")]
    [InlineData("\"Store\": { \"Engine\": \"postgres\" }", "Octopus:Store:Engine", "is not a setting")]
    [InlineData("\"Cluster\": { \"Hosts\": [ { \"Memory\": \"lots\" } ] }", "Octopus:Cluster:Hosts:0:Memory", "is not a size")]
    [InlineData("\"Cluster\": { \"Hosts\": [ { \"Cpus\": 4 } ] }", "Octopus:Cluster:Hosts:0:Cpus", "Octopus:Cluster:Hosts:0 has NamePrefix, Count, Cores")]
    [InlineData("\"Images\": [ { \"Name\": \"Not An Image\" } ]", "Octopus:Images:0:Name", "not a valid image name")]
    [InlineData("\"Scheduler\": { \"Interval\": \"00:05:00\" }", "Octopus:Scheduler:Interval", "out of range")]
    [InlineData("\"Scheduler\": { \"Strategi\": \"pack\" }", "Octopus:Scheduler:Strategi", "is not a setting")]
    [InlineData("\"Scheduler\": { \"PolicyOptions\": { \"octopus.fill\": \"1.5\" } }", "Octopus:Scheduler:PolicyOptions:octopus.fill", "got 1.5")]
    [InlineData("\"Policies\": { \"MaxLease\": \"30m\" }", "Octopus:Policies:MaxLease", "out of range")]
    [InlineData("\"Policies\": { \"MaxLeases\": \"9d\" }", "Octopus:Policies:MaxLeases", "is not a setting")]
    [InlineData("\"Networks\": { \"Default\": \"Lab Net\" }", "Octopus:Networks:Default", "not a valid network name")]
    [InlineData("\"Networks\": { \"DefaultNetwork\": \"lab\" }", "Octopus:Networks:DefaultNetwork", "is not a setting")]
    [InlineData("\"Login\": { \"MaxFailures\": 0 }", "Octopus:Login:MaxFailures", "out of range")]
    [InlineData("\"Login\": { \"MaxFailure\": 3 }", "Octopus:Login:MaxFailure", "is not a setting")]
    [InlineData("\"Identity\": { \"Provider\": \"kerberos\" }", "Octopus:Identity:Provider", "not an identity provider")]
    [InlineData("\"Identity\": { \"Provider\": \"ldap\", \"Ldap\": { \"Url\": \"http://dc1\" } }", "Octopus:Identity:Ldap:Url", "not an LDAP server URL")]
    [InlineData("\"Identity\": { \"Ldap\": { \"Uri\": \"ldap://dc1\" } }", "Octopus:Identity:Ldap:Uri", "is not a setting")]
    [InlineData("\"Storage\": { \"Backend\": \"zfs\" }", "Octopus:Storage:Backend", "not a disk backend")]
    [InlineData("\"Storage\": { \"MaxChainDepth\": 1 }", "Octopus:Storage:MaxChainDepth", "between 2 and 256")]
    [InlineData("\"Storage\": { \"GracePeriod\": \"soon\" }", "Octopus:Storage:GracePeriod", "is not a time span")]
    public async Task Serve_BadSectionValue_ExitsTwoWithOneLineNamingTheKey(string section, string key, string problem)
    {
        var folder = Directory.CreateTempSubdirectory("octopus-config-").FullName;
        try
        {
            var config = Path.Combine(folder, "octopus.json");
            await File.WriteAllTextAsync(config, $$"""{ "Octopus": { {{section}} } }""");
            var data = Path.Combine(folder, "data");
            var output = new StringWriter();

            var code = await OctopusServer.RunAsync(new ServerCommandLine(Port: 0, DataDirectory: data, ConfigFile: config), output, CancellationToken.None);

            code.Should().Be(2);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Should().ContainSingle();
            lines[0].Should().StartWith($"error: configuration error at {key}: ").And.Match($"*{problem}*").And.NotContain("   at ");
            Directory.Exists(data).Should().BeFalse("nothing may be written before the configuration is known to be good");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Build_ValidSections_AreBound()
    {
        var folder = Directory.CreateTempSubdirectory("octopus-config-").FullName;
        try
        {
            var config = Path.Combine(folder, "octopus.json");
            await File.WriteAllTextAsync(config, """
                { "Octopus": {
                    "Simulation": { "OperationDelay": "00:00:02", "PowerTransitionDelay": "00:00:07", "Seed": 7 },
                    "Auth": { "TokenLifetime": "2.00:00:00" },
                    "DefaultQuota": { "MaxCores": 4, "MaxMemory": "8GiB" },
                    "Power": { "GracefulOffTimeout": "00:01:00", "ForceOffTimeout": "00:00:20", "PowerOnTimeout": "00:02:00", "Poll": "00:00:00.5" } } }
                """);
            await using var app = OctopusServer.Build(new ServerCommandLine(Port: 0, DataDirectory: Path.Combine(folder, "data"), ConfigFile: config));

            var simulation = app.Services.GetRequiredService<IOptions<SimulationOptions>>().Value;
            (simulation.OperationDelay, simulation.PowerTransitionDelay, simulation.Seed).Should().Be((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7), 7));
            app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.TokenLifetime.Should().Be(TimeSpan.FromDays(2));
            var quota = app.Services.GetRequiredService<IOptions<QuotaOptions>>().Value.ToQuota();
            quota.MaxCores.Should().Be(4);
            quota.MaxMemory!.Value.Bytes.Should().Be(8L << 30);
            // Keys left out keep their defaults.
            quota.MaxDisk!.Value.Bytes.Should().Be(2L << 40);
            quota.MaxVms.Should().Be(20);
            var power = app.Services.GetRequiredService<IOptions<PowerSequenceOptions>>().Value;
            (power.GracefulOffTimeout, power.ForceOffTimeout, power.PowerOnTimeout, power.Poll)
                .Should().Be((TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(500)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Readme_ConfigurationBlock_StartsAsWritten()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestProcesses.RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Configuration", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json\n", StringComparison.Ordinal) + "```json\n".Length;
        var example = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        // TestServerApp only overrides the port (0) and the data folder (a temporary one).
        await using var server = await TestServerApp.StartAsync(example);
        var health = await (await server.Anonymous().GetAsync(Contracts.ApiRoutes.Health)).ReadAsync<Contracts.HealthDto>();
        health.Hosts.Should().Be(8);
        server.App.Services.GetRequiredService<IOptions<AuthOptions>>().Value.TokenLifetime.Should().Be(TimeSpan.FromDays(30));
        server.App.Services.GetRequiredService<IOptions<PowerSequenceOptions>>().Value.Poll.Should().Be(TimeSpan.FromSeconds(1));
    }
}

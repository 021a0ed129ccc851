using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Observability;

/// <summary>The control loop's own figures on <c>/metrics</c>: pass durations by pass, placement latency, time from
/// create to Running and the journal's pending queue, each observed where the work happens.</summary>
public partial class ControlPlaneMetricsTests
{
    [Fact]
    public async Task Metrics_AfterTwoCreates_CountTheirPlacementsRunsAndThePasses()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        var before = Parse(await server.Anonymous().GetStringAsync(ApiRoutes.Metrics));

        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("m1", cores: 1));
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("m2", cores: 1));
        await http.WaitForStateAsync("m1", "Running");
        await http.WaitForStateAsync("m2", "Running");
        var after = Parse(await server.Anonymous().GetStringAsync(ApiRoutes.Metrics));

        before.GetValueOrDefault("octopus_vm_create_to_running_seconds_count").Should().Be(0);
        after["octopus_vm_create_to_running_seconds_count"].Should().Be(2, "two VMs reached Running");
        after["octopus_vm_create_to_running_seconds_sum"].Should().BeGreaterThan(0);
        after["octopus_placement_duration_seconds_count"].Should().Be(2, "each VM was placed once (it fitted at the first try)");
        foreach (var pass in new[] { "placement", "evacuation", "dispatch", "telemetry" })
            after[$"octopus_control_pass_duration_seconds_count{{pass=\"{pass}\"}}"].Should().BeGreaterThan(0, $"the {pass} pass ran");
        after.Should().ContainKey("octopus_operations_pending");
        after["octopus_operations_pending"].Should().Be(0, "both creates are done and nothing else was asked");
    }

    private static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in Sample().Matches(text))
            values[m.Groups["name"].Value] = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        return values;
    }

    [GeneratedRegex(@"^(?<name>octopus_[a-z_]+(\{[^}]*\})?) (?<value>[0-9.eE+-]+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}

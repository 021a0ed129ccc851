using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Simulated;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>No node-driver call is made inside an HTTP request: requests journal operations and the operation runner
/// calls the driver. Proven two ways: a probe around the real simulated nodes records, for every call, whether it ran
/// inside a request (the request's <see cref="HttpContext"/> flows with the call when it does), and a source scan
/// finds no driver use in the command layer.</summary>
public sealed class DriverCallsOutsideRequestsTests
{
    /// <summary>Every call goes to the real simulated node; the probe only records the call and where it ran.</summary>
    private sealed class CallProbe(IServiceProvider services) : INodeDriverResolver
    {
        private readonly List<(string Call, bool InRequest)> _calls = [];
        public string DriverName => "simulated-probe";

        public IReadOnlyList<(string Call, bool InRequest)> Calls { get { lock (_calls) return _calls.ToList(); } }

        public INodeDriver For(HostId host) => new Node(this, new SimulatedNodeResolver(services.GetRequiredService<SimulatedCluster>()).For(host));

        private Task Record(string call, Func<Task> inner)
        {
            var inRequest = services.GetRequiredService<IHttpContextAccessor>().HttpContext is not null;
            lock (_calls) _calls.Add((call, inRequest));
            return inner();
        }

        private sealed class Node(CallProbe probe, INodeDriver inner) : INodeDriver
        {
            public string Name => inner.Name;
            public Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct) => probe.Record("create", () => inner.CreateAsync(spec, ct));
            public Task StartAsync(VmRuntimeSpec spec, CancellationToken ct) => probe.Record("start", () => inner.StartAsync(spec, ct));
            public Task StopAsync(VmId vm, CancellationToken ct) => probe.Record("stop", () => inner.StopAsync(vm, ct));
            public Task RebootAsync(VmId vm, CancellationToken ct) => probe.Record("reboot", () => inner.RebootAsync(vm, ct));
            public Task DeleteAsync(VmId vm, CancellationToken ct) => probe.Record("delete", () => inner.DeleteAsync(vm, ct));
            public Task SuspendAsync(VmId vm, CancellationToken ct) => probe.Record("suspend", () => inner.SuspendAsync(vm, ct));
            public Task ResumeAsync(VmId vm, CancellationToken ct) => probe.Record("resume", () => inner.ResumeAsync(vm, ct));
            public Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct) =>
                probe.Record("switch-disk", () => inner.SwitchDiskAsync(vm, newActiveDisk, ct));
            public Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.PrepareIncomingAsync(spec, ct);
            public Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct) =>
                inner.MigrateAsync(vm, target, progress, ct);
            public Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct) => inner.ReadConsoleAsync(vm, maxBytes, ct);
            public Task<NodeObservation> ObserveAsync(CancellationToken ct) => inner.ObserveAsync(ct);
        }
    }

    private static async Task<(TestServerApp Server, HttpClient Http, CallProbe Probe)> StartAsync()
    {
        var server = await TestServerApp.StartAsync(customize: b =>
        {
            b.Services.AddHttpContextAccessor();
            b.Services.AddSingleton(sp => new CallProbe(sp));
            b.Services.AddSingleton<INodeDriverResolver>(sp => sp.GetRequiredService<CallProbe>());
        });
        var http = await server.LoginAsync();
        (await http.PostAsync(ApiRoutes.Vms, System.Net.Http.Json.JsonContent.Create(ApiExtensions.Vm("web1")))).StatusCode.Should().Be(HttpStatusCode.Created);
        await http.WaitForStateAsync("web1", "Running");
        return (server, http, server.App.Services.GetRequiredService<CallProbe>());
    }

    [Fact]
    public async Task SuspendResume_OverHttp_AnswerAsBeforeAndTheDriverIsCalledOnlyByTheRunner()
    {
        var (server, http, probe) = await StartAsync();
        await using var _ = server;

        var suspend = await http.PostAsync($"{ApiRoutes.Vm("web1")}/suspend", null);
        suspend.StatusCode.Should().Be(HttpStatusCode.OK, await suspend.Content.ReadAsStringAsync());
        (await suspend.ReadAsync<VmDto>()).State.Should().Be("Suspended");

        var resume = await http.PostAsync($"{ApiRoutes.Vm("web1")}/resume", null);
        resume.StatusCode.Should().Be(HttpStatusCode.OK, await resume.Content.ReadAsStringAsync());
        (await resume.ReadAsync<VmDto>()).State.Should().Be("Running");

        probe.Calls.Select(c => c.Call).Should().Contain(["suspend", "resume"]);
        probe.Calls.Should().NotContain(c => c.InRequest, "every driver call must come from the operation runner, not a request");
    }

    [Fact]
    public async Task Suspend_DriverFails_Is409WithTheDriversWordsAndTheVmKeepsRunning()
    {
        var (server, http, probe) = await StartAsync();
        await using var _ = server;
        var vm = await http.WaitForStateAsync("web1", "Running");
        VmId.TryParse(vm.Id, out var id).Should().BeTrue();
        server.App.Services.GetRequiredService<SimulatedCluster>().InjectFailure(id, "hypervisor busy");

        var suspend = await http.PostAsync($"{ApiRoutes.Vm("web1")}/suspend", null);

        suspend.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await suspend.ProblemAsync()).GetProperty("detail").GetString().Should().Be("Could not suspend VM 'web1': hypervisor busy");
        (await http.WaitForStateAsync("web1", "Running")).State.Should().Be("Running");
        probe.Calls.Should().Contain(c => c.Call == "suspend").And.NotContain(c => c.InRequest);
    }

    /// <summary>The application's command layers journal; they never reach for a driver. Only Control/ (the runner's
    /// home, and telemetry's observation), Power/ (the power-driver resolver and the BMC readings), Agents/ (wiring the
    /// agent drivers) and Queries/ (reading a VM's console) may. Doc comments may name the driver contract; code may
    /// not use it.</summary>
    [Theory]
    [InlineData("Commands")]
    [InlineData("Disks")]
    [InlineData("Policies")]
    [InlineData("Networks")]
    [InlineData("Consolidation")]
    [InlineData("Identity")]
    [InlineData("Provisioning")]
    [InlineData("Cluster")]
    [InlineData("Upgrade")]
    public void CommandLayer_SourceFiles_UseNoDriverInterface(string folder)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Octopus.slnx"))) root = root.Parent;
        root.Should().NotBeNull("the tests run from inside the repository");
        var files = Directory.GetFiles(Path.Combine(root!.FullName, "src", "Octopus.Application", folder), "*.cs");
        files.Should().NotBeEmpty();
        var driverUse = new Regex(@"\bINodeDriver(Resolver)?\b|\bIHostPowerDriver\b|\bIPowerDriverResolver\b|\bIFirewallDriver\b|\bINetworkNamesDriver\b");
        static string Code(string file) => string.Join('\n', File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        files.Where(f => driverUse.IsMatch(Code(f))).Select(Path.GetFileName).Should().BeEmpty();
    }
}

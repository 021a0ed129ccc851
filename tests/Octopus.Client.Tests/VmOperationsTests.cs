using System.Net;
using Octopus.Contracts;

namespace Octopus.Client.Tests;

public class VmOperationsTests
{
    private static readonly OctopusClientOptions Fast = new() { RetryBaseDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(1) };

    private static OctopusClient Client(StubHandler stub) => new(new Uri("http://127.0.0.1:5080"), "t", Fast, stub);

    [Fact]
    public async Task WaitUntilSettledAsync_PollsThroughTransitionalStates()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Stopping"))
            .ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Stopping"))
            .ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Stopped"));
        using var client = Client(stub);
        var seen = new List<string>();
        var start = new VmDto("vm-1", "web1", "alice", "Stopping", "Stopped", "host-01", 2, 1, 1, "debian-12", null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, [], 0);

        var final = await client.Vms.WaitUntilSettledAsync(start, TimeSpan.FromSeconds(10), new Sync<VmDto>(v => seen.Add(v.State)),
            TestContext.Current.CancellationToken);

        final!.State.Should().Be("Stopped");
        seen.Should().Equal("Stopping", "Stopping", "Stopped");
        stub.Requests.Should().AllSatisfy(r => r.PathAndQuery.Should().Be("/api/v1/vms/vm-1"));
    }

    [Fact]
    public async Task WaitForStateAsync_VmDisappears_ReturnsNull()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Deleting"))
            .ThenJson(HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'vm-1' was not found.", "not-found"), "application/problem+json");
        using var client = Client(stub);

        var final = await client.Vms.WaitForStateAsync("vm-1", v => v.Is(VmStates.Failed), TimeSpan.FromSeconds(10),
            ct: TestContext.Current.CancellationToken);

        final.Should().BeNull();
    }

    [Fact]
    public async Task WaitForStateAsync_NotFoundAtFirstPoll_IsAnError()
    {
        // A VM that never existed is a mistake by the caller, not a finished delete.
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'nope' was not found.", "not-found"), "application/problem+json");
        using var client = Client(stub);

        var act = () => client.Vms.WaitForStateAsync("nope", _ => true, TimeSpan.FromSeconds(10), ct: TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<OctopusApiException>()).Which.Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WaitForStateAsync_KnownVmGoneAtFirstPoll_ReturnsNull()
    {
        // The delete answered 202 and finished before the first poll: that is success, not "not found".
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.NotFound, Wire.Problem(404, "Not found", "VM 'vm-1' was not found.", "not-found"), "application/problem+json");
        using var client = Client(stub);
        var deleting = new VmDto("vm-1", "web1", "alice", "Deleting", "Deleted", "host-01", 2, 1, 1, "debian-12", null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, [], 0);

        var final = await client.Vms.WaitForStateAsync(deleting, v => v.Is(VmStates.Failed), TimeSpan.FromSeconds(10),
            ct: TestContext.Current.CancellationToken);

        final.Should().BeNull();
    }

    [Fact]
    public async Task WaitForStateAsync_TargetStates_StopsAtFirstMatch()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Creating"))
            .ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Running"));
        using var client = Client(stub);

        var final = await client.Vms.WaitForStateAsync("web1", [VmStates.Running, VmStates.Failed], TimeSpan.FromSeconds(10),
            ct: TestContext.Current.CancellationToken);

        final!.State.Should().Be("Running");
        stub.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task WaitForStateAsync_NeverSettles_TimesOutWithLastSeenState()
    {
        var stub = new StubHandler();
        for (var i = 0; i < 10_000; i++) stub.ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Rebooting"));
        using var client = Client(stub);

        var act = () => client.Vms.WaitForStateAsync("web1", v => v.Is(VmStates.Running), TimeSpan.FromMilliseconds(50),
            ct: TestContext.Current.CancellationToken);

        var e = (await act.Should().ThrowAsync<VmWaitTimeoutException>()).Which;
        e.LastSeen!.State.Should().Be("Rebooting");
        e.Message.Should().Contain("still Rebooting");
    }

    [Fact]
    public async Task WaitForStateAsync_Cancelled_Throws()
    {
        var stub = new StubHandler();
        for (var i = 0; i < 10_000; i++) stub.ThenJson(HttpStatusCode.OK, Wire.Vm(state: "Starting"));
        using var client = Client(stub);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));

        var act = () => client.Vms.WaitForStateAsync("web1", _ => false, TimeSpan.FromMinutes(5), ct: cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData("Creating", true)]
    [InlineData("Starting", true)]
    [InlineData("Stopping", true)]
    [InlineData("Rebooting", true)]
    [InlineData("Migrating", true)]
    [InlineData("Deleting", true)]
    [InlineData("Pending", false)] // may wait for capacity indefinitely: not an operation in flight
    [InlineData("Running", false)]
    [InlineData("Stopped", false)]
    [InlineData("Failed", false)]
    public void IsTransitional_MatchesTheServersStateMachine(string state, bool transitional) =>
        VmStates.IsTransitional(state).Should().Be(transitional);

    [Fact]
    public async Task DeleteAsync_UsesHttpDeleteAndReadsTheAcceptedVm()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.Accepted, Wire.Vm(state: "Deleting"));
        using var client = Client(stub);

        var vm = await client.Vms.DeleteAsync("web1", TestContext.Current.CancellationToken);

        vm.State.Should().Be("Deleting");
        stub.Requests.Single().Method.Should().Be(HttpMethod.Delete);
    }

    [Fact]
    public async Task MigrateAsync_PostsTheDestination()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.Accepted, Wire.Vm(state: "Migrating"));
        using var client = Client(stub);

        var vm = await client.Vms.MigrateAsync("web1", "host-02", TestContext.Current.CancellationToken);

        vm.State.Should().Be("Migrating");
        stub.Requests.Single().Should().Be((HttpMethod.Post, "/api/v1/vms/web1/migrate", "Bearer t", (string?)"""{"host":"host-02"}"""));
    }

    private sealed class Sync<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

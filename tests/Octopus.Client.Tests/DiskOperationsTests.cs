using System.Net;
using Octopus.Contracts;

namespace Octopus.Client.Tests;

/// <summary>A snapshot the server answers 202 for (its operation outlasted the request's wait): the client follows the
/// operation named in Location to its end, instead of failing to read a snapshot out of an empty body.</summary>
public class DiskOperationsTests
{
    private static readonly OctopusClientOptions Fast = new() { RetryBaseDelay = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(1) };

    private static OctopusClient Client(StubHandler stub) => new(new Uri("http://127.0.0.1:5080"), "t", Fast, stub);

    private static HttpResponseMessage Accepted(string operation) =>
        new(HttpStatusCode.Accepted) { Headers = { Location = new Uri($"/api/v1/operations/{operation}", UriKind.Relative) } };

    private static string Operation(string status, string? error = null, string? code = null) =>
        System.Text.Json.JsonSerializer.Serialize(new OperationDto("op-1", "SnapshotVm", status, "vm-1", "web1", "h-1", null, "alice", null, error, code, 1, [],
            DateTimeOffset.Parse("2026-12-07T12:00:00Z"), null), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

    private const string Tree = """{"vm":"web1","snapshots":[{"name":"s1","parent":null,"disk":"d-7","createdAt":"2026-12-07T12:00:01+00:00","isCheckpoint":false}],"currentAfter":"s1","text":""}""";

    [Fact]
    public async Task SnapshotAsync_Accepted_FollowsTheOperation_ThenReadsTheSnapshot()
    {
        var stub = new StubHandler()
            .Then(_ => Accepted("op-1"))
            .ThenJson(HttpStatusCode.OK, Operation("Running"))
            .ThenJson(HttpStatusCode.OK, Operation("Succeeded"))
            .ThenJson(HttpStatusCode.OK, Tree);
        using var client = Client(stub);

        var snapshot = await client.Disks.SnapshotAsync("web1", "s1", TestContext.Current.CancellationToken);

        (snapshot.Name, snapshot.Disk).Should().Be(("s1", "d-7"));
        stub.Requests.Select(r => r.PathAndQuery).Should().Equal("/api/v1/vms/web1/snapshots", "/api/v1/operations/op-1",
            "/api/v1/operations/op-1", "/api/v1/vms/web1/snapshots");
    }

    [Fact]
    public async Task SnapshotAsync_Accepted_OperationFails_IsTheServersConflict()
    {
        var stub = new StubHandler()
            .Then(_ => Accepted("op-1"))
            .ThenJson(HttpStatusCode.OK, Operation("Failed", "the disk storage could not complete the snapshot", "storage.failed"));
        using var client = Client(stub);

        var act = () => client.Disks.SnapshotAsync("web1", "s1", TestContext.Current.CancellationToken);

        var e = (await act.Should().ThrowAsync<OctopusApiException>()).Which;
        (e.Status, e.Code).Should().Be((HttpStatusCode.Conflict, "storage.failed"));
        e.Message.Should().Contain("could not complete the snapshot");
    }

    [Fact]
    public async Task SnapshotAsync_Created_ReadsTheBody()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.Created,
            """{"name":"s1","parent":null,"disk":"d-7","createdAt":"2026-12-07T12:00:01+00:00","isCheckpoint":false}""");
        using var client = Client(stub);

        (await client.Disks.SnapshotAsync("web1", "s1", TestContext.Current.CancellationToken)).Disk.Should().Be("d-7");
        stub.Requests.Should().ContainSingle();
    }
}

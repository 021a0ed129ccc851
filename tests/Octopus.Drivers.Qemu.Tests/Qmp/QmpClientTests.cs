using System.Text.Json.Nodes;
using Octopus.Drivers.Qemu.Qmp;

namespace Octopus.Drivers.Qemu.Tests.Qmp;

public sealed class QmpClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connect_Greeting_ReadsVersionAndNegotiatesCapabilities()
    {
        await using var server = new FakeQmpServer((_, r) => FakeQmpServer.Ok(r));
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        client.QemuVersion.Should().Be("7.2.22");
        server.Received.Select(r => r["execute"]!.GetValue<string>()).Should().Equal("qmp_capabilities");
        server.Received[0]["id"]!.GetValue<string>().Should().NotBeNullOrEmpty("answers are matched by id");
    }

    [Fact]
    public async Task Execute_Return_GivesReturnMemberAndSendsArguments()
    {
        await using var server = new FakeQmpServer((cmd, r) =>
            cmd == "query-status" ? [FakeQmpServer.Return(r, """{"status": "running", "running": true}""")] : FakeQmpServer.Ok(r));
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        var status = await client.ExecuteAsync("query-status", new JsonObject { ["x"] = 1 }, Ct);

        status.GetProperty("status").GetString().Should().Be("running");
        server.Received[1]["arguments"]!["x"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Execute_ErrorAnswer_ThrowsQmpExceptionWithClassAndDescription()
    {
        await using var server = new FakeQmpServer((_, r) =>
            [new JsonObject { ["error"] = new JsonObject { ["class"] = "DeviceNotFound", ["desc"] = "no disk9" }, ["id"] = r["id"]!.DeepClone() }.ToJsonString()]);
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        var act = () => client.ExecuteAsync("blockdev-snapshot-sync", null, Ct);

        var e = (await act.Should().ThrowAsync<QmpException>()).Which;
        e.ErrorClass.Should().Be("DeviceNotFound");
        e.Description.Should().Be("no disk9");
        e.Command.Should().Be("blockdev-snapshot-sync");
    }

    [Fact]
    public async Task Execute_EventBeforeAnswer_AnswerReturnedAndEventQueued()
    {
        // QEMU sends POWERDOWN before the answer to system_powerdown (seen on 7.2).
        await using var server = new FakeQmpServer((_, r) => [FakeQmpServer.Event("POWERDOWN"), FakeQmpServer.Return(r, "{}")]);
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        await client.ExecuteAsync("system_powerdown", null, Ct);
        var ev = await client.WaitForEventAsync("POWERDOWN", Timeout, Ct);

        ev.Should().NotBeNull();
        ev!.Timestamp.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250));
        client.PeekEvents().Should().BeEmpty("taking an event removes it from the queue");
    }

    [Fact]
    public async Task Execute_AnswersOutOfOrder_EachCallerGetsItsOwnAnswer()
    {
        // The server holds the first command's answer and sends it after the second one's.
        JsonObject? held = null;
        await using var server = new FakeQmpServer((cmd, r) =>
        {
            if (cmd == "first") { held = r; return []; }
            return [FakeQmpServer.Return(r, "\"second\""), FakeQmpServer.Return(held!, "\"first\"")];
        });
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        var first = client.ExecuteAsync("first", null, Ct);
        await WaitUntil(() => held is not null);
        var second = await client.ExecuteAsync("second", null, Ct);

        second.GetString().Should().Be("second");
        (await first).GetString().Should().Be("first");
    }

    [Fact]
    public async Task Execute_NoAnswer_ThrowsConnectionExceptionAfterTimeout()
    {
        await using var server = new FakeQmpServer((_, _) => []);
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, TimeSpan.FromMilliseconds(300), TimeProvider.System, Ct);

        var act = () => client.ExecuteAsync("query-status", null, Ct);

        (await act.Should().ThrowAsync<QmpConnectionException>()).WithMessage("*did not answer 'query-status'*");
    }

    [Fact]
    public async Task Execute_ServerClosesBeforeAnswer_ThrowsConnectionExceptionAndClientCloses()
    {
        await using var server = new FakeQmpServer((_, _) => ["CLOSE"]);
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        var act = () => client.ExecuteAsync("quit", null, Ct);

        await act.Should().ThrowAsync<QmpConnectionException>();
        await client.Closed.WaitAsync(Timeout, Ct);
        client.IsConnected.Should().BeFalse();
    }

    [Fact]
    public async Task Connect_NoGreeting_ThrowsSayingTheSocketIsBusy()
    {
        // A QEMU whose socket already has a client accepts the connection but stays silent.
        await using var server = new FakeQmpServer((_, r) => FakeQmpServer.Ok(r), greeting: null);

        var act = () => QmpClient.ConnectAsync(server.SocketPath, TimeSpan.FromMilliseconds(300), TimeProvider.System, Ct);

        (await act.Should().ThrowAsync<QmpConnectionException>()).WithMessage("*another client*");
    }

    [Fact]
    public async Task Connect_NotQmp_ThrowsNamingTheFirstLine()
    {
        await using var server = new FakeQmpServer((_, r) => FakeQmpServer.Ok(r), greeting: """{"hello": 1}""");

        var act = () => QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);

        (await act.Should().ThrowAsync<QmpConnectionException>()).WithMessage("*not a QMP socket*hello*");
    }

    [Fact]
    public async Task Connect_NoSocket_ThrowsConnectionException()
    {
        var act = () => QmpClient.ConnectAsync("/nonexistent/qmp.sock", Timeout, TimeProvider.System, Ct);

        (await act.Should().ThrowAsync<QmpConnectionException>()).WithMessage("*cannot connect*/nonexistent/qmp.sock*");
    }

    [Fact]
    public async Task WaitForEvent_NoSuchEvent_ReturnsNullAfterTimeout()
    {
        await using var server = new FakeQmpServer((_, r) => [FakeQmpServer.Event("RESUME"), FakeQmpServer.Return(r, "{}")]);
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);
        await client.ExecuteAsync("cont", null, Ct);

        var ev = await client.WaitForEventAsync("SHUTDOWN", TimeSpan.FromMilliseconds(200), Ct);

        ev.Should().BeNull();
        client.PeekEvents().Select(e => e.Name).Should().Equal("RESUME");
    }

    [Fact]
    public async Task Events_MoreThanTheCap_OldestDropped()
    {
        // 300 events then the answer: 300 - 256 = 44 oldest are dropped.
        await using var server = new FakeQmpServer((_, r) =>
            [.. Enumerable.Range(0, 300).Select(i => FakeQmpServer.Event("E", $$"""{"n": {{i}}}""")), FakeQmpServer.Return(r, "{}")]);
        await using var client = await QmpClient.ConnectAsync(server.SocketPath, Timeout, TimeProvider.System, Ct);
        await client.ExecuteAsync("flood", null, Ct);

        var events = client.PeekEvents();

        events.Should().HaveCount(QmpClient.MaxQueuedEvents);
        events[0].Data.GetProperty("n").GetInt32().Should().Be(44);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10, Ct);
        condition().Should().BeTrue();
    }
}

using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary><c>GET /api/v1/vms/{id}/history</c> and <c>GET /api/v1/hosts/{id}/history</c>: who may read them, what a bad
/// range answers, and the stored buckets as means. Buckets are put in the server's store directly (the telemetry pass
/// writes one a minute; <c>TelemetryHistoryTests</c> covers that writer), so the answer's numbers are known.</summary>
public class HistoryEndpointTests
{
    private static async Task<DateTimeOffset> SeedVmBucketAsync(TestServerApp server, string vmId, TelemetryResolution resolution, double cpu)
    {
        using var scope = server.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var length = resolution switch { TelemetryResolution.Minute => TimeSpan.FromMinutes(1), TelemetryResolution.FiveMinutes => TimeSpan.FromMinutes(5), _ => TimeSpan.FromHours(1) };
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % length.Ticks, TimeSpan.Zero) - length * 2;
        // 10 readings of `cpu`, 4 of them with figures: memory mean = 4 GiB-ish sums / 4
        db.VmHistory.Add(new VmHistoryBucketRecord
        {
            VmId = new VmId(Guid.Parse(vmId)), Resolution = resolution, Start = start, Samples = 10, CpuSum = cpu * 10, MeasuredSamples = 4,
            MemorySum = 4 * 512.0 * 1024 * 1024, DiskReadSum = 4 * 1000, DiskWriteSum = 4 * 2000, NetReceiveSum = 4 * 3000, NetTransmitSum = 4 * 4000,
        });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return start;
    }

    [Fact]
    public async Task VmHistory_OwnerAndAdminRead_OtherUserGets404_AnonymousGets401()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        var a1 = await alice.WaitForStateAsync("a1", "Running");
        var start = await SeedVmBucketAsync(server, a1.Id, TelemetryResolution.FiveMinutes, 0.25);

        var r = await alice.GetAsync(ApiRoutes.VmHistory("a1", "24h"));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var day = await r.ReadAsync<VmHistoryDto>();
        (day.Vm, day.Range, day.StepSeconds, day.MemoryBytes).Should().Be((a1.Id, "24h", 300, 1L << 30));
        (day.To - day.From).Should().Be(TimeSpan.FromHours(24));
        // the server's own telemetry pass may have closed a minute meanwhile; the seeded bucket is found by its start
        var p = day.Points.Should().ContainSingle(x => x.At == start).Which;
        p.Cpu.Should().Be(0.25);
        p.MemoryBytes.Should().Be(512.0 * 1024 * 1024); // sum over the 4 readings with figures / 4
        (p.DiskReadBytesPerSecond, p.DiskWriteBytesPerSecond, p.NetReceiveBytesPerSecond, p.NetTransmitBytesPerSecond)
            .Should().Be((1000, 2000, 3000, 4000));

        (await admin.GetAsync(ApiRoutes.VmHistory(a1.Id, "24h"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var other = await bob.GetAsync(ApiRoutes.VmHistory(a1.Id, "24h"));
        other.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.ProblemAsync()).GetProperty("detail").GetString().Should().Be($"VM '{a1.Id}' was not found.");
        (await server.Anonymous().GetAsync(ApiRoutes.VmHistory(a1.Id, "24h"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // no range: the last hour, one point a minute (only the 24 h bucket was stored)
        var hour = await (await alice.GetAsync(ApiRoutes.VmHistory("a1"))).ReadAsync<VmHistoryDto>();
        (hour.Range, hour.StepSeconds).Should().Be(("1h", 60));
    }

    [Theory]
    [InlineData("2h")]
    [InlineData("1w")]
    [InlineData("")]
    public async Task VmHistory_BadRange_Is400NamingTheGoodRanges(string range)
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        var r = await alice.GetAsync(ApiRoutes.Vm("a1") + "/history?range=" + Uri.EscapeDataString(range + "x"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await r.ProblemAsync();
        problem.GetProperty("field").GetString().Should().Be("range");
        problem.GetProperty("detail").GetString().Should().Be($"'{range}x' is not a history range; use 1h, 24h or 7d.");
    }

    [Fact]
    public async Task HostHistory_AdminReadsLoadAndWatts_UserGets403()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        var host = (await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>())[0];
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero) - TimeSpan.FromHours(3);
        using (var scope = server.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            db.HostHistory.Add(new HostHistoryBucketRecord
            {
                HostId = new HostId(Guid.Parse(host.Id)), Resolution = TelemetryResolution.Hour, Start = start, Samples = 4, LoadSum = 2, WattsSum = 800,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var week = await (await admin.GetAsync(ApiRoutes.HostHistory(host.Name, "7d"))).ReadAsync<HostHistoryDto>();
        (week.Host, week.Range, week.StepSeconds).Should().Be((host.Name, "7d", 3600));
        week.Points.Should().Contain(new HostHistoryPointDto(start, 0.5, 200));

        var refused = await alice.GetAsync(ApiRoutes.HostHistory(host.Name, "7d"));
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var bad = await admin.GetAsync(ApiRoutes.HostHistory(host.Name, "30d"));
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ProblemAsync()).GetProperty("detail").GetString().Should().Be("'30d' is not a history range; use 1h, 24h or 7d.");
        (await admin.GetAsync(ApiRoutes.HostHistory("no-such-host", "7d"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

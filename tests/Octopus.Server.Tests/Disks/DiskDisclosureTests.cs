using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Disks;

/// <summary>What the disk tree and image import tell a caller about others and about the server: a user's tree names
/// none of another user's VMs, snapshots or ids; a bad import path is a clear 400/403 that never names a server folder.</summary>
public class DiskDisclosureTests
{
    private static string Simulated => TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }""");

    [Fact]
    public async Task Tree_UserSharingAnImageWithAdmin_SeesNoneOfTheAdminsVmsSnapshotsOrId()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var admin = await server.LoginAsync();
        var secret = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("secret"))).ReadAsync<VmDto>();
        await admin.WaitForStateAsync("secret", "Running");
        (await admin.PostAsJsonAsync(ApiRoutes.Vm("secret") + "/snapshots", new SnapshotRequest("launch-plan"))).EnsureSuccessStatusCode();
        var adminId = (await (await admin.GetAsync(ApiRoutes.User("admin"))).ReadAsync<UserDto>()).Id;

        var bob = await server.NewUserAsync("bob");
        var mine = await (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b1"))).ReadAsync<VmDto>();
        await bob.WaitForStateAsync("b1", "Running");

        foreach (var url in new[] { ApiRoutes.Base + "/disks/tree", ApiRoutes.Base + "/disks/tree?vm=b1" })
        {
            var raw = await (await bob.GetAsync(url)).Content.ReadAsStringAsync();
            raw.Should().NotContain(secret.Id).And.NotContain("launch-plan").And.NotContain(adminId);
            var tree = System.Text.Json.JsonSerializer.Deserialize<DiskTreeDto>(raw, TestServerApp.Json)!;
            var image = tree.Disks.Single(d => d.Role == "image");
            image.KeptAliveBy.Should().Equal("is the image debian-12", $"active disk of vm {mine.Id}"); // only bob's own root
            tree.Text.Should().Contain("shared").And.Contain("owner you");
        }

        // The admin still sees everything the image keeps alive.
        var full = await (await admin.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
        full.Disks.Single(d => d.Role == "image" && d.Label == "image debian-12").KeptAliveBy
            .Should().Contain(k => k.Contains(secret.Id)).And.Contain(k => k.Contains("launch-plan")).And.Contain(k => k.Contains(mine.Id));
    }

    [Theory]
    [InlineData("\u0000abc", "U+0000")]
    [InlineData("/srv/import/a\u0007b.raw", "U+0007")]
    [InlineData("/srv/import/a\nb.raw", "U+000A")]
    [InlineData("relative/disk.raw", "absolute")]
    [InlineData("", "absolute path")]
    public async Task Import_BadFileName_400NamingTheProblemNotTheServersFolders(string file, string expected)
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var http = await server.LoginAsync();
        var r = await http.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("x", file, "raw"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest, await r.Content.ReadAsStringAsync());
        var problem = await r.ProblemAsync();
        problem.GetProperty("field").GetString().Should().Be("file");
        problem.GetProperty("detail").GetString().Should().Contain(expected).And.NotContain(server.DataDirectory);
    }

    [Fact]
    public async Task Import_OutsideTheImportFolders_403WithoutTheServersDataPath()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var http = await server.LoginAsync();
        var r = await http.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("x", "/tmp/../etc/shadow", "raw"));
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var raw = await r.Content.ReadAsStringAsync();
        raw.Should().Contain("outside the server's import folders").And.NotContain(server.DataDirectory);
    }
}

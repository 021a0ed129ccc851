using System.Net;
using System.Net.Http.Json;
using System.Text;
using Octopus.Contracts;
using Octopus.TestKit;
using static Octopus.TestKit.TestSshKeys;

namespace Octopus.Server.Tests.Provisioning;

/// <summary>The cloud-init flag on images and the user-data a VM is created with: what is accepted, kept and refused.</summary>
public class CloudInitApiTests
{
    private static string Simulated => TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }""");

    private static async Task MarkCloudInitAsync(HttpClient admin, bool on = true)
    {
        var r = await admin.PatchAsJsonAsync($"{ApiRoutes.Images}/debian-12", new ImageUpdateRequest(on));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        (await r.ReadAsync<ImageDto>()).CloudInit.Should().Be(on);
    }

    [Fact]
    public async Task ImageFlag_SetByAnAdmin_ListedAndKept_RefusedToUsers()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.GetFromJsonAsync<List<ImageDto>>(ApiRoutes.Images, TestServerApp.Json))!.Single(i => i.Name == "debian-12").CloudInit.Should().BeFalse();
        await MarkCloudInitAsync(admin);
        (await admin.GetFromJsonAsync<List<ImageDto>>(ApiRoutes.Images, TestServerApp.Json))!.Single(i => i.Name == "debian-12").CloudInit.Should().BeTrue();

        var alice = await server.NewUserAsync("alice");
        (await alice.PatchAsJsonAsync($"{ApiRoutes.Images}/debian-12", new ImageUpdateRequest(false))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var nothing = await admin.PatchAsJsonAsync($"{ApiRoutes.Images}/debian-12", new ImageUpdateRequest());
        nothing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await nothing.ProblemAsync()).GetProperty("field").GetString().Should().Be("cloudInit");
        (await admin.PatchAsJsonAsync($"{ApiRoutes.Images}/nope", new ImageUpdateRequest(true))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await MarkCloudInitAsync(admin, on: false);
    }

    [Fact]
    public async Task UserData_Accepted_KeptWithTheVm_AndShownBySize()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        await MarkCloudInitAsync(admin);
        var text = "#cloud-config\npackages: [nginx]\n# é\n";
        var vm = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5) with { UserData = text }))
            .ReadAsync<VmDto>();
        vm.UserDataBytes.Should().Be(Encoding.UTF8.GetByteCount(text));
        (await admin.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("web"), TestServerApp.Json))!.UserDataBytes.Should().Be(Encoding.UTF8.GetByteCount(text));
        var plain = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("plain", cores: 1, memoryGiB: 1, diskGiB: 5))).ReadAsync<VmDto>();
        plain.UserDataBytes.Should().BeNull();

        // The largest allowed, a script, and a MIME multipart are accepted.
        var largest = "#!/bin/sh\n" + new string('x', 64 * 1024 - 11) + "\n";
        Encoding.UTF8.GetByteCount(largest).Should().Be(64 * 1024);
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("big", cores: 1, memoryGiB: 1, diskGiB: 5) with { UserData = largest }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var mime = "Content-Type: multipart/mixed; boundary=\"XX\"\nMIME-Version: 1.0\n\n--XX\nContent-Type: text/cloud-config\n\n#cloud-config\n--XX--\n";
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("mime", cores: 1, memoryGiB: 1, diskGiB: 5) with { UserData = mime }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
    }

    public static TheoryData<string, string[]> BadUserData => new()
    {
        { "#!/bin/sh\n" + new string('x', 64 * 1024 - 10) + "\n", ["65537 bytes", "65536 bytes (64 KiB)"] },
        { "#!/bin/sh\n" + new string('é', 40_000) + "\n", ["80011 bytes", "64 KiB"] },
        { "packages: [nginx]\n", ["starts with 'packages: [nginx]'", "#cloud-config", "#!", "MIME multipart"] },
        { "Content-Type: text/plain\n\n#cloud-config\n", ["#cloud-config", "MIME multipart"] },
        { "", ["empty"] },
        { "#cloud-config\n\0", ["NUL"] },
    };

    [Theory]
    [MemberData(nameof(BadUserData))]
    public async Task UserData_BadInput_Is400NamingTheFieldAndTheRule_NothingCreated(string userData, string[] says)
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        await MarkCloudInitAsync(admin);
        var r = await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5) with { UserData = userData });
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be("userData");
        foreach (var s in says) p.GetProperty("detail").GetString().Should().Contain(s);
        (await admin.GetAsync(ApiRoutes.Vm("web"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing is half-made");
    }

    [Fact]
    public async Task UserData_ForAnImageNotMarkedCloudInit_IsRefusedSayingHowToMarkIt()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var r = await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5) with { UserData = "#cloud-config\n" });
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be("userData");
        p.GetProperty("detail").GetString().Should().Contain("not marked cloud-init capable").And.Contain("octopus image set debian-12 --cloud-init true");
    }

    [Fact]
    public async Task InvalidSshKeyGivenLiterally_Is400NamingSshKeys()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var r = await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5) with { SshKeys = ["ssh-ed25519 @@@@ me"] });
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be("sshKeys");
        p.GetProperty("detail").GetString().Should().Contain("not valid base64");
        (await admin.GetAsync(ApiRoutes.Vm("web"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>A fork is a new machine: new addresses, and neither the source's SSH keys nor its user-data (its disk
    /// already holds what the source's cloud-init did; the fork's own seed has a new instance id and no keys).</summary>
    [Fact]
    public async Task Fork_TakesNeitherSshKeysNorUserData()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var admin = await server.LoginAsync();
        await MarkCloudInitAsync(admin);
        var src = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("src", cores: 1, memoryGiB: 1, diskGiB: 5)
            with { UserData = "#cloud-config\n", SshKeys = [Ed25519("me@laptop")] })).ReadAsync<VmDto>();
        src.SshKeys.Should().HaveCount(1);
        src.UserDataBytes.Should().Be(14);
        await admin.WaitForStateAsync("src", "Running");

        var forked = await admin.PostAsJsonAsync(ApiRoutes.Vm("src") + "/fork", new VmForkRequest("copy"));
        forked.StatusCode.Should().Be(HttpStatusCode.Created);
        var copy = await admin.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("copy"), TestServerApp.Json);
        copy!.SshKeys.Should().BeEmpty();
        copy.UserDataBytes.Should().BeNull();
        (await admin.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("src"), TestServerApp.Json))!.SshKeys.Should().HaveCount(1, "the source keeps its own");
    }
}

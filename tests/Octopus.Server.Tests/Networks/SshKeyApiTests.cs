using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Octopus.Contracts;
using Octopus.TestKit;
using static Octopus.TestKit.TestSshKeys;

namespace Octopus.Server.Tests.Networks;

/// <summary>SSH public keys in a user's profile and on the VMs created with them.</summary>
public class SshKeyApiTests
{
    [Fact]
    public async Task AddListRemove_AndVmCreate_TakesKeysByNameOrLiterally()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        var laptop = Ed25519("alice@laptop");

        var added = await alice.PostAsJsonAsync(ApiRoutes.MySshKeys, new SshKeyRequest("laptop", laptop));
        added.StatusCode.Should().Be(HttpStatusCode.Created);
        var dto = await added.ReadAsync<SshKeyDto>();
        (dto.Name, dto.Type, dto.Comment).Should().Be(("laptop", "ssh-ed25519", "alice@laptop"));
        dto.Fingerprint.Should().StartWith("SHA256:");
        (await alice.GetFromJsonAsync<List<SshKeyDto>>(ApiRoutes.MySshKeys, TestServerApp.Json))!.Select(k => k.Name).Should().Equal("laptop");

        var other = Ed25519("ci");
        var vm = await (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5)
            with { SshKeys = ["laptop", other, "laptop"] })).ReadAsync<VmDto>();
        vm.SshKeys.Should().HaveCount(2, "the same key named twice is given once");
        vm.SshKeys![0].Should().Be($"{dto.Fingerprint} alice@laptop");
        (await alice.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("web"), TestServerApp.Json))!.SshKeys.Should().Equal(vm.SshKeys);

        var unknown = await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db", cores: 1, memoryGiB: 1, diskGiB: 5) with { SshKeys = ["desk"] });
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await unknown.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be("sshKeys");
        p.GetProperty("detail").GetString().Should().Contain("no key named 'desk'").And.Contain("laptop");
        (await alice.GetAsync(ApiRoutes.Vm("db"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing is half-made");

        (await alice.DeleteAsync(ApiRoutes.MySshKey("laptop"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await alice.DeleteAsync(ApiRoutes.MySshKey("laptop"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await alice.GetFromJsonAsync<VmDto>(ApiRoutes.Vm("web"), TestServerApp.Json))!.SshKeys.Should().HaveCount(2, "a VM keeps the keys it was created with");
    }

    [Theory]
    [InlineData("laptop", "ssh-dss AAAAB3NzaC1kc3M= old", "publicKey", "not a key type Octopus accepts")]
    [InlineData("laptop", "ssh-ed25519 @@@@ x", "publicKey", "not valid base64")]
    [InlineData("laptop", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIPyT5u3nrH5CzUMbBsnhJjvGuqR4L2pDy4dIFWE0mJ1F x", "publicKey", "not ssh-rsa")]
    [InlineData("Bad Name", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyT5u3nrH5CzUMbBsnhJjvGuqR4L2pDy4dIFWE0mJ1F x", "name", "not a key name")]
    public async Task Add_BadInput_Is400NamingTheField(string name, string key, string field, string message)
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var r = await admin.PostAsJsonAsync(ApiRoutes.MySshKeys, new SshKeyRequest(name, key));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be(field);
        p.GetProperty("detail").GetString().Should().Contain(message);
    }

    [Fact]
    public async Task Add_SameNameOrKeyTwice_Is409_AndKeysArePerUser()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        var key = Ed25519("k");
        (await alice.PostAsJsonAsync(ApiRoutes.MySshKeys, new SshKeyRequest("laptop", key))).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync(ApiRoutes.MySshKeys, new SshKeyRequest("laptop", Ed25519("other")))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await alice.PostAsJsonAsync(ApiRoutes.MySshKeys, new SshKeyRequest("desk", key))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await bob.GetFromJsonAsync<List<SshKeyDto>>(ApiRoutes.MySshKeys, TestServerApp.Json)).Should().BeEmpty();
        (await bob.PostAsJsonAsync(ApiRoutes.MySshKeys, new SshKeyRequest("laptop", key))).StatusCode.Should().Be(HttpStatusCode.Created);
    }
}

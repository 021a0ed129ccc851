using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Simulated;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Provisioning;

/// <summary>What a cloud-init NoCloud seed says (unit), and that a VM of a cloud-init image gets its seed from the store
/// at each start, through the runtime spec, on the simulated node (which records it).</summary>
public class CloudInitSeedTests
{
    private const string Key1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyT5u3nrH5CzUMbBsnhJjvGuqR4L2pDy4dIFWE0mJ1F me@laptop";
    private const string Key2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ+/u3nrH5CzUMbBsnhJjvGuqR4L2pDy4dIFWE0mJ1F ci";
    private static readonly VmId Id = new(Guid.Parse("0f8e4c55-8a1b-4c1e-9d3a-5b7e6f102233"));

    private static NicSpec Nic(string mac, string network, string domain, string? hostName = null) =>
        new(mac, network, "br-" + network, "10.77.0.10", Subnet: "10.77.0.0/24", Gateway: "10.77.0.1", Domain: domain, HostName: hostName);

    [Fact]
    public void Generated_HostNameFqdnKeys_AndDhcpOnEachNicByMac()
    {
        var seed = CloudInitSeed.For(Id, "web5", [Nic("0A:0C:0A:4D:00:0A", "lab", "lab.octopus"), Nic("0a:0c:0a:4e:00:0b", "dmz", "dmz.octopus")],
            [Key1, Key2], userData: null);

        seed.MetaData.Should().Be(
            "instance-id: \"0f8e4c55-8a1b-4c1e-9d3a-5b7e6f102233\"\n" +
            "local-hostname: \"web5\"\n" +
            "public-keys:\n" +
            $"  - \"{Key1}\"\n" +
            $"  - \"{Key2}\"\n");
        seed.UserData.Should().Be(
            "#cloud-config\n" +
            "hostname: \"web5\"\n" +
            "fqdn: \"web5.lab.octopus\"\n" +
            "ssh_authorized_keys:\n" +
            $"  - \"{Key1}\"\n" +
            $"  - \"{Key2}\"\n");
        seed.NetworkConfig.Should().Be(
            "version: 2\n" +
            "ethernets:\n" +
            "  nic0:\n    match:\n      macaddress: \"0a:0c:0a:4d:00:0a\"\n    dhcp4: true\n" +
            "  nic1:\n    match:\n      macaddress: \"0a:0c:0a:4e:00:0b\"\n    dhcp4: true\n");
        seed.Files().Select(f => f.Name).Should().Equal("meta-data", "user-data", "network-config");
    }

    [Fact]
    public void UsersOwnUserData_IsTakenAsItIs_KeysStillInMetaData()
    {
        const string mine = "#!/bin/sh\necho hello > /tmp/hello\n";
        var seed = CloudInitSeed.For(Id, "job", [], [Key1], mine);

        seed.UserData.Should().Be(mine);
        seed.MetaData.Should().Contain("local-hostname: \"job\"").And.Contain($"  - \"{Key1}\"");
        seed.NetworkConfig.Should().BeNull("a VM without NICs gets no network-config");
        seed.Files().Select(f => f.Name).Should().Equal("meta-data", "user-data");
    }

    [Fact]
    public void NoNicNoKeys_HostNameOnly_NoFqdn_AndValuesAreQuoted()
    {
        var seed = CloudInitSeed.For(Id, "a\"b", [], [], userData: null);

        seed.UserData.Should().Be("#cloud-config\nhostname: \"a\\\"b\"\n", "a value can never break out of its YAML scalar");
        seed.MetaData.Should().NotContain("public-keys");
    }

    [Fact]
    public async Task VmOfACloudInitImage_BootsWithItsSeed_OthersWithout_AndAStartTakesTheCurrentOne()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var cluster = server.App.Services.GetRequiredService<SimulatedCluster>();
        var plain = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("plain", cores: 1, memoryGiB: 1, diskGiB: 5))).ReadAsync<VmDto>();
        await admin.WaitForStateAsync("plain", "Running");
        cluster.CloudInitSeedOf(new VmId(Guid.Parse(plain.Id))).Should().BeNull("debian-12 is not marked cloud-init capable yet");

        (await admin.PatchAsJsonAsync($"{ApiRoutes.Images}/debian-12", new ImageUpdateRequest(true))).EnsureSuccessStatusCode();
        var vm = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web5", cores: 1, memoryGiB: 1, diskGiB: 5)
            with { SshKeys = [Key1], UserData = "#cloud-config\nruncmd: [touch, /tmp/x]\n" })).ReadAsync<VmDto>();
        await admin.WaitForStateAsync("web5", "Running");
        var seed = cluster.CloudInitSeedOf(new VmId(Guid.Parse(vm.Id)))!;
        seed.Should().NotBeNull();
        seed.MetaData.Should().Contain($"instance-id: \"{vm.Id}\"").And.Contain("local-hostname: \"web5\"").And.Contain(Key1);
        seed.UserData.Should().Be("#cloud-config\nruncmd: [touch, /tmp/x]\n");

        // The plain VM takes a seed at its next start, now that its image runs cloud-init.
        (await admin.PostAsync(ApiRoutes.Vm("plain") + "/stop", null)).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("plain", "Stopped");
        (await admin.PostAsync(ApiRoutes.Vm("plain") + "/start", null)).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("plain", "Running");
        cluster.CloudInitSeedOf(new VmId(Guid.Parse(plain.Id)))!.UserData.Should().Be("#cloud-config\nhostname: \"plain\"\n");
    }
}

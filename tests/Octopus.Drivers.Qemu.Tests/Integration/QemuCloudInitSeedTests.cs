using System.Diagnostics;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests.Integration;

/// <summary>Real QEMU (TCG) with the test guest and a real genisoimage: a VM started with a cloud-init seed has it as a
/// read-only virtio disk (the argv of its QEMU and QMP query-block say so), and the seed image, read back with isoinfo,
/// is an ISO9660 volume labelled cidata holding the seed's files. Every QEMU is killed by pid afterwards.</summary>
public sealed class QemuCloudInitSeedTests(TestGuestFixture guest) : IClassFixture<TestGuestFixture>, IAsyncLifetime
{
    private const string Ready = "OCTOPUS-GUEST-READY";
    private readonly List<QemuNodeDriver> _drivers = [];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _drivers) await d.DisposeAsync();
        guest.KillAll();
    }

    private QemuNodeDriver NewDriver(string name)
    {
        var driver = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(guest.Root, name), ShutdownTimeout = TimeSpan.FromSeconds(20) },
            guest.Boot, TimeProvider.System);
        _drivers.Add(driver);
        return driver;
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(Ct);
        var error = await p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        p.ExitCode.Should().Be(0, $"{file} {string.Join(' ', args)} failed: {error}");
        return output;
    }

    [Fact]
    public async Task Start_WithSeed_AttachesItReadOnly_AndTheImageHoldsTheSeedFiles()
    {
        if (guest.SkipReason is not null) Assert.Skip(guest.SkipReason);
        if (!File.Exists("/usr/bin/genisoimage") || !File.Exists("/usr/bin/isoinfo")) Assert.Skip("genisoimage is not installed; run scripts/install-deps.");
        var driver = NewDriver("seed");
        var id = VmId.New();
        var spec = await new SharedStorageLayout(guest.Storage, guest.Boot, new QemuImg())
            .SpecForAsync(id, "seeded", Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), TestGuestFixture.Image), Ct);
        var seed = CloudInitSeed.For(id, "seeded", [new NicSpec("0a:0c:0a:4d:00:0a", "lab", "br-lab", "10.77.0.10", Domain: "lab.octopus")],
            ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPyT5u3nrH5CzUMbBsnhJjvGuqR4L2pDy4dIFWE0mJ1F me@laptop"], userData: null);

        await driver.CreateAsync(spec with { Seed = seed }, Ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await driver.ReadConsoleAsync(id, 64 * 1024, Ct)).Contains(Ready, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);

        var folder = new VmFolder(Path.Combine(guest.Root, "seed"), id);
        var argv = ProcFs.CommandLine((await driver.GetStateAsync(id, Ct)).Pid!.Value)!;
        argv.Should().Contain($"file={folder.SeedImage},format=raw,if=virtio,readonly=on,id=cidata");
        var blocks = await driver.QueryAsync(id, "query-block", Ct);
        var cidata = blocks.EnumerateArray().Single(b => b.GetProperty("device").GetString() == "cidata");
        cidata.GetProperty("inserted").GetProperty("ro").GetBoolean().Should().BeTrue("the guest cannot write its seed");
        cidata.GetProperty("inserted").GetProperty("file").GetString().Should().Be(folder.SeedImage);
        blocks.EnumerateArray().Single(b => b.GetProperty("device").GetString() == QemuCommandLine.DiskId)
            .GetProperty("inserted").GetProperty("ro").GetBoolean().Should().BeFalse();

        // Read the image back with a real ISO9660 reader: label, names (Joliet) and contents.
        (await RunAsync("/usr/bin/isoinfo", "-d", "-i", folder.SeedImage)).Should().Contain("Volume id: cidata");
        (await RunAsync("/usr/bin/isoinfo", "-J", "-f", "-i", folder.SeedImage)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Should().BeEquivalentTo(["/meta-data", "/user-data", "/network-config"]);
        (await RunAsync("/usr/bin/isoinfo", "-J", "-x", "/meta-data", "-i", folder.SeedImage)).Should().Be(seed.MetaData);
        (await RunAsync("/usr/bin/isoinfo", "-J", "-x", "/user-data", "-i", folder.SeedImage)).Should().Be(seed.UserData);
        (await RunAsync("/usr/bin/isoinfo", "-R", "-x", "/network-config", "-i", folder.SeedImage)).Should().Be(seed.NetworkConfig);

        // Stopped and started without a seed (the image no longer runs cloud-init): the disk is gone from its machine.
        await driver.StopAsync(id, Ct);
        await driver.StartAsync(spec, Ct);
        argv = ProcFs.CommandLine((await driver.GetStateAsync(id, Ct)).Pid!.Value)!;
        argv.Should().NotContain(a => a.Contains("id=cidata", StringComparison.Ordinal));
        File.Exists(folder.SeedImage).Should().BeFalse();
    }
}

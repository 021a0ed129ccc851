using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Octopus.Disks.Backends;
using Octopus.Disks.Model;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain;
using Octopus.Domain.Units;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Backends;

/// <summary>The contract suite on real qcow2 files (small, in a temp folder), plus what only real files can show.
/// Guest writes and reads go through qemu-io, as a VM's would.</summary>
public sealed class QemuImgDiskBackendTests : DiskContractTests
{
    private readonly QemuImgDiskBackend _backend;

    public QemuImgDiskBackendTests() => _backend = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = Temp.File("store") });

    protected override IDiskBackend Backend => _backend;

    protected override async Task WriteBlockAsync(DiskId disk, long block, byte value)
    {
        var (code, output) = await QemuIoAsync("-c", $"write -P {value} {block * ByteSize.MiB} 1M", "-f", "qcow2", disk.FileName);
        code.Should().Be(0, output);
    }

    protected override async Task<bool> BlockIsAsync(DiskId disk, long block, byte value)
    {
        var (code, output) = await QemuIoAsync("-r", "-c", $"read -P {value} {block * ByteSize.MiB} 1M", "-f", "qcow2", disk.FileName);
        return code == 0 && !output.Contains("Pattern verification failed", StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateChild_StoresRelativeBackingPath_SoTheFolderCanMove()
    {
        var s = Services();
        await ImportDebianAsync(s);
        var disk = await s.Tree.CreateVmDiskAsync(Domain.Vms.VmId.New(), Alice, Debian);

        var info = await QemuImgJsonAsync("info", "--output=json", disk.Id.FileName);

        info.GetProperty("backing-filename").GetString().Should().NotContain("/").And.EndWith(".qcow2");
        info.GetProperty("backing-filename-format").GetString().Should().Be("qcow2");
        // Move the whole folder: the chain still opens.
        var moved = Temp.File("moved");
        Directory.Move(_backend.StorageFolder, moved);
        var elsewhere = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = moved });
        (await elsewhere.ReadChainAsync(disk.Id)).Should().HaveCount(2);
    }

    [Theory]
    [InlineData("vpc")]
    [InlineData("vhdx")]
    [InlineData("qcow2")]
    public async Task ImportImage_ForeignFormat_IsConvertedToQcow2WithSameContent(string format)
    {
        var raw = RawImageFile(Temp.File("src"), mib: 8);
        var converted = Temp.File($"src/source.{format}");
        await RunAsync("qemu-img", "convert", "-f", "raw", "-O", format, raw, converted);

        var image = await Services().Tree.ImportImageAsync(Debian, Alice, converted, format: null); // probed

        (await QemuImgJsonAsync("info", "--output=json", image.Id.FileName)).GetProperty("format").GetString().Should().Be("qcow2");
        (await BlockIsAsync(image.Id, 0, 0x5a)).Should().BeTrue();
    }

    [Fact]
    public async Task Backend_MissingQemuImg_SaysHowToInstallIt()
    {
        var broken = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = Temp.File("b"), QemuImgPath = "/nonexistent/qemu-img" });

        var act = () => broken.CreateBaseAsync(DiskId.New(), ByteSize.FromMiB(1));

        (await act.Should().ThrowAsync<DiskBackendException>()).Which.Message.Should().Contain("qemu-utils");
    }

    [Fact]
    public async Task CreateChild_ParentFileMissing_FailsWithClearMessage()
    {
        var act = () => _backend.CreateChildAsync(DiskId.New(), DiskId.New());
        (await act.Should().ThrowAsync<DiskBackendException>()).Which.Message.Should().Contain("missing");
    }

    [Fact]
    public void Options_EmptyFolder_IsRejected()
    {
        var act = () => new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = " " });
        act.Should().Throw<DomainException>().Which.Field.Should().Be("storageFolder");
    }

    private async Task<JsonElement> QemuImgJsonAsync(params string[] args)
    {
        var (code, output) = await RunInStoreAsync("qemu-img", args);
        code.Should().Be(0, output);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private Task<(int Code, string Output)> QemuIoAsync(params string[] args) => RunInStoreAsync("qemu-io", args);

    private Task<(int Code, string Output)> RunInStoreAsync(string exe, string[] args) => RunCoreAsync(_backend.StorageFolder, exe, args);

    private static async Task RunAsync(string exe, params string[] args)
    {
        var (code, output) = await RunCoreAsync(Directory.GetCurrentDirectory(), exe, args);
        code.Should().Be(0, output);
    }

    private static async Task<(int Code, string Output)> RunCoreAsync(string cwd, string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stdout) + (await stderr));
    }
}

using Microsoft.Extensions.Configuration;
using Octopus.Application.Configuration;
using Octopus.Application.Disks;

namespace Octopus.Server.Tests.Disks;

public class StorageSettingsTests
{
    private static readonly DataFolder Server = new("/srv/octopus");

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData(true, StorageBackendKind.QemuImg)]
    [InlineData(false, StorageBackendKind.Simulated)]
    public void From_NoBackend_QemuImgWhenOnPathElseSimulated(bool onPath, StorageBackendKind expected)
    {
        var s = StorageSettings.From(Config(), Server, _ => onPath);
        s.Backend.Should().Be(expected);
        s.Folder.Should().Be("/srv/octopus/storage");
        s.Tree.ImportFolders.Should().Equal("/srv/octopus/import");
        s.Tree.GracePeriod.Should().Be(TimeSpan.FromDays(1));
    }

    [Fact]
    public void From_QemuImgAskedButMissing_ConfigurationErrorSaysWhatToDo()
    {
        FluentActions.Invoking(() => StorageSettings.From(Config(("Octopus:Storage:Backend", "qemu-img")), Server, _ => false))
            .Should().Throw<ConfigurationException>().WithMessage("configuration error at Octopus:Storage:Backend: qemu-img is not on PATH*simulated*");
    }

    [Fact]
    public void From_UnknownBackend_NamesTheKey()
    {
        FluentActions.Invoking(() => StorageSettings.From(Config(("Octopus:Storage:Backend", "zfs")), Server, _ => true))
            .Should().Throw<ConfigurationException>().WithMessage("configuration error at Octopus:Storage:Backend: 'zfs' is not a disk backend*");
    }

    [Fact]
    public void From_ChainDepthOutOfRange_NamesTheKey()
    {
        FluentActions.Invoking(() => StorageSettings.From(Config(("Octopus:Storage:MaxChainDepth", "1")), Server, _ => true))
            .Should().Throw<ConfigurationException>().WithMessage("configuration error at Octopus:Storage:MaxChainDepth: *between 2 and 256*");
    }
}

using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Services;

public sealed class DiskTreeTextTests : IDisposable
{
    private readonly ManualTime _time = new();
    private readonly InMemoryDiskCatalog _catalog = new();
    private readonly TempFolder _temp = new();
    private readonly DiskServices _s;
    private readonly VmId _vm = VmId.New();

    public DiskTreeTextTests() =>
        _s = DiskServices.Create(_catalog, new SimulatedDiskBackend(_time), _time, new DiskTreeOptions { GracePeriod = TimeSpan.FromHours(1) });

    public void Dispose() => _temp.Dispose();

    private async Task BuildAsync()
    {
        await _s.Tree.ImportImageAsync(ImageName.Parse("debian-12"), Alice, RawImageFile(_temp.Path, 1));
        await _s.Tree.CreateVmDiskAsync(_vm, Alice, ImageName.Parse("debian-12"));
        await _s.Tree.SnapshotAsync(_vm, Snap("s1"));
        await _s.Tree.SnapshotAsync(_vm, Snap("s2"));
        await _s.Tree.RevertAsync(_vm, Snap("s1"));
    }

    [Fact]
    public async Task RenderTree_ShowsEveryDiskWithWhyItLives_AndTheAbandonedLeafAsUnreachable()
    {
        await BuildAsync();

        var text = DiskTreeText.Render(await _s.Queries.TreeAsync());

        var lines = text.Split('\n');
        lines.Should().HaveCount(6, "5 disks (image, s1, s2, abandoned leaf, new leaf) and a total line");
        lines[0].Should().Contain("image debian-12").And.Contain("is the image debian-12");
        text.Should().Contain("└─ ").And.Contain("snapshot 's2'").And.Contain("unreachable since 2026-11-24 12:00");
        lines[^1].Should().StartWith("5 disk(s)");
    }

    [Fact]
    public async Task RenderSnapshots_BranchesAfterARevert()
    {
        await BuildAsync();

        var text = DiskTreeText.Render(await _s.Queries.SnapshotsAsync(_vm));

        // s1 has two children: s2 (the old line) and the current disk (after the revert).
        text.Split('\n').Select(l => l.TrimEnd()).Should().Equal(
            "s1  2026-11-24 12:00",
            "├─ s2  2026-11-24 12:00",
            "└─ (current)");
    }

    [Fact]
    public async Task RenderGcReport_DryRun_SaysWouldDeleteWithBytes()
    {
        await BuildAsync();
        _time.Advance(TimeSpan.FromHours(2));

        var text = DiskTreeText.Render(await _s.Collector.CollectAsync(dryRun: true));

        text.Should().StartWith("4 disk(s) reachable; would delete 1 (192 KiB)");
    }
}

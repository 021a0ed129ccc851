using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Services;

public class CheckpointServiceTests : IDisposable
{
    private readonly ManualTime _time = new();
    private readonly InMemoryDiskCatalog _catalog = new();
    private readonly TempFolder _temp = new();
    private readonly DiskServices _s;
    private readonly VmId _vm = VmId.New();

    public CheckpointServiceTests()
    {
        _s = DiskServices.Create(_catalog, new SimulatedDiskBackend(_time), _time);
        _s.Tree.ImportImageAsync(ImageName.Parse("debian-12"), Alice, RawImageFile(_temp.Path, 1)).GetAwaiter().GetResult();
        _s.Tree.CreateVmDiskAsync(_vm, Alice, ImageName.Parse("debian-12")).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    // Checkpoints taken at hours 0..5 (ages 5h..0h at the end). Kept = index < KeepLast OR age < NewerThan.
    [InlineData(2, null, 2)]     // newest two
    [InlineData(null, 3.5, 4)]   // ages 0,1,2,3 < 3.5h
    [InlineData(1, 2.5, 3)]      // ages 0,1,2 (the newest is among them) → union is 3
    [InlineData(0, null, 0)]     // keep none
    [InlineData(10, null, 6)]    // more than exist
    public async Task ApplyRetention_KeepsTheUnionOfBothRules(int? keepLast, double? newerThanHours, int kept)
    {
        for (var i = 0; i < 6; i++)
        {
            await _s.Checkpoints.CheckpointAsync(_vm, "nightly");
            _time.Advance(TimeSpan.FromHours(1));
        }
        _time.Advance(TimeSpan.FromHours(-1)); // the newest is 0 h old

        var released = await _s.Checkpoints.ApplyRetentionAsync(_vm, new CheckpointRetention(keepLast, newerThanHours is { } h ? TimeSpan.FromHours(h) : null));

        released.Should().HaveCount(6 - kept);
        var tree = (await _catalog.LoadAsync()).Tree();
        tree.SnapshotsOf(_vm).Should().HaveCount(kept);
        tree.Violations().Should().BeEmpty();
    }

    [Fact]
    public async Task NamedCheckpoint_TakenTwice_AsAResumedOperationDoes_IsTakenOnce()
    {
        var name = await _s.Checkpoints.NameForAsync(_vm, _time.GetUtcNow());
        var first = await _s.Checkpoints.CheckpointAsync(_vm, name, "nightly", switchTo: null);
        var again = await _s.Checkpoints.CheckpointAsync(_vm, name, "nightly", switchTo: null);

        again.Id.Should().Be(first.Id);
        var tree = (await _catalog.LoadAsync()).Tree();
        tree.SnapshotsOf(_vm).Should().ContainSingle().Which.Checkpoint!.Policy.Should().Be("nightly");
        tree.Violations().Should().BeEmpty();
    }

    [Fact]
    public async Task NameFor_TheSameSecondTwice_GetsASuffix_AndAUserSnapshotOfThatNameIsNotTakenForACheckpoint()
    {
        var at = _time.GetUtcNow();
        var first = await _s.Checkpoints.NameForAsync(_vm, at);
        await _s.Checkpoints.CheckpointAsync(_vm, first, "nightly", switchTo: null);
        var second = await _s.Checkpoints.NameForAsync(_vm, at);
        second.Value.Should().Be(first.Value + "-2");

        await _s.Tree.SnapshotAsync(_vm, second);
        var taking = () => _s.Checkpoints.CheckpointAsync(_vm, second, "nightly", switchTo: null);
        (await taking.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("snapshot.exists");
    }

    [Fact]
    public async Task ApplyRetention_NeverTouchesUserSnapshots()
    {
        await _s.Tree.SnapshotAsync(_vm, Snap("mine"));
        await _s.Checkpoints.CheckpointAsync(_vm, "hourly");

        await _s.Checkpoints.ApplyRetentionAsync(_vm, new CheckpointRetention(KeepLast: 0));

        (await _catalog.LoadAsync()).Tree().SnapshotsOf(_vm).Should().ContainSingle().Which.Name.Should().Be(Snap("mine"));
    }

    [Fact]
    public async Task Checkpoint_TwiceInOneSecond_GetsDistinctNames()
    {
        var a = await _s.Checkpoints.CheckpointAsync(_vm, "p");
        var b = await _s.Checkpoints.CheckpointAsync(_vm, "p");

        a.Name!.Value.Value.Should().Be("cp-20261124-120000");
        b.Name!.Value.Value.Should().Be("cp-20261124-120000-2");
        b.Checkpoint!.Policy.Should().Be("p");
        b.Role.Should().Be(DiskRole.Checkpoint);
    }

    [Fact]
    public async Task ApplyRetention_NoRule_IsRejected()
    {
        var act = () => _s.Checkpoints.ApplyRetentionAsync(_vm, new CheckpointRetention());
        (await act.Should().ThrowAsync<DomainException>()).Which.Field.Should().Be("retention");
    }

    [Fact]
    public async Task Checkpoint_CanBeRevertedTo_LikeASnapshot()
    {
        var cp = await _s.Checkpoints.CheckpointAsync(_vm, "p");
        var reverted = await _s.Tree.RevertAsync(_vm, cp.Name!.Value);
        reverted.Parent.Should().Be(cp.Id);
    }
}

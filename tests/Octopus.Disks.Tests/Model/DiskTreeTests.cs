using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Model;

public class DiskTreeTests
{
    [Fact]
    public void Reachable_MarksRootsAndTheirAncestors_NotDeadBranches()
    {
        // image ── a(interior) ── b(active vm1)
        //                    └── c(interior, abandoned leaf)   ← unreachable
        // image2 (interior, deleted image, no children)        ← unreachable
        var image = Image();
        var vm1 = VmId.New();
        var a = ActiveOn(image, vm1).FreezeUnnamed();
        var b = ActiveOn(a, vm1);
        var c = ActiveOn(a, VmId.New()).FreezeUnnamed();
        var image2 = Image("old").Release();
        var tree = new DiskTree([image, a, b, c, image2]);

        tree.Reachable().Should().BeEquivalentTo([image.Id, a.Id, b.Id]);
    }

    [Fact]
    public void Depth_CountsBackingFilesBelow()
    {
        var image = Image();
        var vm = VmId.New();
        var a = ActiveOn(image, vm).FreezeAsSnapshot(Snap("s1"));
        var b = ActiveOn(a, vm);
        var tree = new DiskTree([image, a, b]);

        tree.Depth(image.Id).Should().Be(0);
        tree.Depth(a.Id).Should().Be(1);
        tree.Depth(b.Id).Should().Be(2);
        tree.Ancestors(b.Id).Select(d => d.Id).Should().Equal(a.Id, image.Id);
    }

    [Fact]
    public void Violations_TwoActiveDisksForOneVm_AndWrittenParent_AreReported()
    {
        var image = Image();
        var vm = VmId.New();
        var a = ActiveOn(image, vm);
        var b = ActiveOn(a, vm); // a is still active, yet b backs onto it
        var tree = new DiskTree([image, a, b]);

        tree.Violations().Should().Contain(v => v.Contains("2 active disks")).And.Contain(v => v.Contains("is written but has children"));
    }

    [Fact]
    public void Violations_DanglingParent_IsReported()
    {
        var image = Image();
        var orphan = ActiveOn(image, VmId.New());
        new DiskTree([orphan]).Violations().Should().ContainSingle().Which.Should().Contain("does not have");
    }

    [Fact]
    public void TopDown_ParentsComeBeforeChildren()
    {
        var image = Image();
        var vm = VmId.New();
        var a = ActiveOn(image, vm).FreezeUnnamed();
        var b = ActiveOn(a, vm);
        var order = new DiskTree([b, a, image]).TopDown().Select(d => d.Id).ToList();
        order.Should().Equal(image.Id, a.Id, b.Id);
    }
}

public class DiskTests
{
    [Fact]
    public void FreezeAsSnapshot_OnActive_KeepsIdentityAndNamesIt()
    {
        var leaf = ActiveOn(Image(), VmId.New());
        var snap = leaf.FreezeAsSnapshot(Snap("s1"));
        snap.Id.Should().Be(leaf.Id);
        snap.Role.Should().Be(DiskRole.Snapshot);
        snap.Name.Should().Be(Snap("s1"));
    }

    [Fact]
    public void FreezeAsSnapshot_OnSnapshot_IsRefused()
    {
        var snap = ActiveOn(Image(), VmId.New()).FreezeAsSnapshot(Snap("s1"));
        var act = () => snap.FreezeAsSnapshot(Snap("s2"));
        act.Should().Throw<DomainException>().Which.Code.Should().Be("disk.not-active");
    }

    [Theory]
    [InlineData(DiskRole.Image, true)]
    [InlineData(DiskRole.Active, true)]
    [InlineData(DiskRole.Snapshot, true)]
    [InlineData(DiskRole.Checkpoint, true)]
    [InlineData(DiskRole.Interior, false)]
    public void IsRoot_OnlyInteriorDisksAreNotRoots(DiskRole role, bool root) => role.IsRoot().Should().Be(root);

    [Fact]
    public void Release_Snapshot_DropsNameAndBecomesInterior()
    {
        var released = ActiveOn(Image(), VmId.New()).FreezeAsSnapshot(Snap("s1")).Release();
        released.Role.Should().Be(DiskRole.Interior);
        released.Name.Should().BeNull();
        released.Vm.Should().NotBeNull("the history of which VM wrote it stays for the tree view");
    }

    [Fact]
    public void MarkUnreachable_Twice_KeepsTheFirstTime()
    {
        var d = Image().Release().MarkUnreachable(T0).MarkUnreachable(T0.AddHours(5));
        d.UnreachableSince.Should().Be(T0);
        d.MarkReachable().UnreachableSince.Should().BeNull();
    }

    [Theory]
    [InlineData("before-upgrade", true)]
    [InlineData("S1.v2_x", true)]
    [InlineData("", false)]
    [InlineData("-leading-dash", false)]
    [InlineData("../etc/passwd", false)]
    [InlineData("has space", false)]
    public void SnapshotName_Parse_AcceptsOnlySafeNames(string text, bool ok)
    {
        var act = () => SnapshotName.Parse(text);
        if (ok) act.Should().NotThrow();
        else act.Should().Throw<DomainException>().Which.Field.Should().Be("snapshot");
    }

    [Fact]
    public void DiskId_FileName_RoundTrips_AndForeignNamesAreRejected()
    {
        var id = DiskId.New();
        DiskId.TryParseFileName(id.FileName, out var back).Should().BeTrue();
        back.Should().Be(id);
        DiskId.TryParseFileName("debian.qcow2", out _).Should().BeFalse();
        DiskId.TryParseFileName(id.Value.ToString("N") + ".raw", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("vhd", DiskImageFormat.Vpc)]
    [InlineData("VPC", DiskImageFormat.Vpc)]
    [InlineData("vhdx", DiskImageFormat.Vhdx)]
    [InlineData("raw", DiskImageFormat.Raw)]
    [InlineData("qcow2", DiskImageFormat.Qcow2)]
    public void DiskImageFormat_Parse_KnowsTheAliases(string text, DiskImageFormat format) =>
        DiskImageFormats.Parse(text).Should().Be(format);

    [Fact]
    public void DiskImageFormat_Parse_Unknown_SaysWhatIsAccepted() =>
        ((Action)(() => DiskImageFormats.Parse("vmdk"))).Should().Throw<DomainException>().Which.Message.Should().Contain("vhdx");
}

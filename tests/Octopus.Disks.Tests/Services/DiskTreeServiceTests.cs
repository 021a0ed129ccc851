using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Services;

/// <summary>Rules of the tree service that do not depend on the backend (the contract suite covers the rest).</summary>
public sealed class DiskTreeServiceTests : IDisposable
{
    private static readonly ImageName Debian = ImageName.Parse("debian-12");
    private readonly ManualTime _time = new();
    private readonly InMemoryDiskCatalog _catalog = new();
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private DiskServices Services(params string[] importFolders) =>
        DiskServices.Create(_catalog, new SimulatedDiskBackend(_time), _time, new DiskTreeOptions { ImportFolders = importFolders });

    [Fact]
    public async Task CreateBaseImage_NewName_IsAnImageOfThatSize_AndTheNameIsThenTaken()
    {
        var services = Services();

        var image = await services.Tree.CreateBaseImageAsync(Debian, Alice, ByteSize.FromGiB(2));

        image.Role.Should().Be(DiskRole.Image);
        image.VirtualSize.Should().Be(ByteSize.FromGiB(2));
        (await _catalog.LoadAsync()).Intents.Should().BeEmpty(); // the journal entry closed with the row
        var again = () => services.Tree.CreateBaseImageAsync(Debian, Alice, ByteSize.FromGiB(2));
        (await again.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("image.exists");
    }

    [Fact]
    public async Task ImportImage_InsideImportFolder_IsAccepted()
    {
        var uploads = _temp.File("uploads");
        var file = RawImageFile(uploads, 1);

        var image = await Services(uploads).Tree.ImportImageAsync(Debian, Alice, file);

        image.Image.Should().Be(Debian);
    }

    [Fact]
    public async Task ImportImage_OutsideImportFolders_IsForbidden()
    {
        var uploads = _temp.File("uploads");
        Directory.CreateDirectory(uploads);
        var secret = RawImageFile(_temp.File("elsewhere"), 1);

        var act = () => Services(uploads).Tree.ImportImageAsync(Debian, Alice, secret);

        var error = (await act.Should().ThrowAsync<DomainException>()).Which;
        error.Kind.Should().Be(ErrorKind.Forbidden);
        error.Message.Should().Contain("upload the image there first");
    }

    [Fact]
    public async Task ImportImage_SymlinkInImportFolderPointingOutside_IsForbidden()
    {
        var uploads = _temp.File("uploads");
        Directory.CreateDirectory(uploads);
        var secret = RawImageFile(_temp.File("elsewhere"), 1);
        var link = Path.Combine(uploads, "innocent.img");
        File.CreateSymbolicLink(link, secret);

        var act = () => Services(uploads).Tree.ImportImageAsync(Debian, Alice, link);

        (await act.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("image.import-path");
    }

    [Fact]
    public async Task ImportImage_DotDotOutOfImportFolder_IsForbidden()
    {
        var uploads = _temp.File("uploads");
        Directory.CreateDirectory(uploads);
        RawImageFile(_temp.File("elsewhere"), 1);

        var act = () => Services(uploads).Tree.ImportImageAsync(Debian, Alice, Path.Combine(uploads, "..", "elsewhere", "source.img"));

        (await act.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("image.import-path");
    }

    [Fact]
    public async Task ImportImage_SameNameTwice_IsAConflict()
    {
        var s = Services();
        var file = RawImageFile(_temp.Path, 1);
        await s.Tree.ImportImageAsync(Debian, Alice, file);

        var act = () => s.Tree.ImportImageAsync(Debian, Alice, file);

        (await act.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("image.exists");
    }

    [Fact]
    public async Task CreateVmDisk_VmAlreadyHasOne_IsAConflict_AndForkIntoItselfIsInvalid()
    {
        var s = Services();
        await s.Tree.ImportImageAsync(Debian, Alice, RawImageFile(_temp.Path, 1));
        var vm = VmId.New();
        await s.Tree.CreateVmDiskAsync(vm, Alice, Debian);

        var twice = () => s.Tree.CreateVmDiskAsync(vm, Alice, Debian);
        var self = () => s.Tree.ForkAsync(vm, vm, Alice);
        var unknownImage = () => s.Tree.CreateVmDiskAsync(VmId.New(), Alice, ImageName.Parse("nope"));

        (await twice.Should().ThrowAsync<DomainException>()).Which.Code.Should().Be("vm.has-disk");
        (await self.Should().ThrowAsync<DomainException>()).Which.Kind.Should().Be(ErrorKind.Validation);
        (await unknownImage.Should().ThrowAsync<DomainException>()).Which.Kind.Should().Be(ErrorKind.NotFound);
    }

    [Fact]
    public async Task ImportImage_WhileConverting_OtherOperationsGoOn()
    {
        var sim = new SimulatedDiskBackend(_time);
        var gated = new GatedImportBackend(sim);
        var s = DiskServices.Create(_catalog, gated, _time);
        var file = RawImageFile(_temp.Path, 1);
        await s.Tree.ImportImageAsync(Debian, Alice, file);
        gated.Hold = new TaskCompletionSource();
        var vm = VmId.New();

        var import = s.Tree.ImportImageAsync(ImageName.Parse("big"), Alice, file);
        await s.Tree.CreateVmDiskAsync(vm, Alice, Debian).WaitAsync(TimeSpan.FromSeconds(10)); // times out if the import held the gate
        await s.Tree.SnapshotAsync(vm, Snap("during-import"));
        var beforeRelease = import.IsCompleted;
        gated.Hold.SetResult();
        var image = await import;

        beforeRelease.Should().BeFalse();
        image.Image.Should().Be(ImageName.Parse("big"));
        (await _catalog.LoadAsync()).Intents.Should().BeEmpty();
    }

    /// <summary>Lets a test hold an import in the middle of its conversion.</summary>
    private sealed class GatedImportBackend(IDiskBackend inner) : IDiskBackend
    {
        public TaskCompletionSource? Hold { get; set; }

        public async Task<StoredDisk> ImportAsync(DiskId id, string sourcePath, DiskImageFormat? format, CancellationToken ct = default)
        {
            if (Hold is { } h) await h.Task;
            return await inner.ImportAsync(id, sourcePath, format, ct);
        }

        public Task<StoredDisk> CreateBaseAsync(DiskId id, ByteSize virtualSize, CancellationToken ct = default) => inner.CreateBaseAsync(id, virtualSize, ct);
        public Task<ByteSize> CreateChildAsync(DiskId id, DiskId parent, ByteSize? virtualSize = null, CancellationToken ct = default) => inner.CreateChildAsync(id, parent, virtualSize, ct);
        public Task<ByteSize> RebaseAsync(DiskId id, DiskId newParent, CancellationToken ct = default) => inner.RebaseAsync(id, newParent, ct);
        public Task<StoredDisk?> InspectAsync(DiskId id, CancellationToken ct = default) => inner.InspectAsync(id, ct);
        public Task<IReadOnlyList<DiskId>> ReadChainAsync(DiskId id, CancellationToken ct = default) => inner.ReadChainAsync(id, ct);
        public Task DeleteAsync(DiskId id, CancellationToken ct = default) => inner.DeleteAsync(id, ct);
        public Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken ct = default) => inner.ListAsync(ct);
    }

    [Fact]
    public void Options_RelativeImportFolder_IsRejected() =>
        ((Action)(() => new DiskTreeOptions { ImportFolders = ["uploads"] }.Validate())).Should().Throw<DomainException>()
            .Which.Field.Should().Be("ImportFolders");
}

using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Tests.Kit;
using Octopus.Domain;
using Octopus.Domain.Vms;
using static Octopus.Disks.Tests.Kit.Fixtures;

namespace Octopus.Disks.Tests.Catalog;

public class JsonFileDiskCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Apply_ThenReopen_ReadsBackEveryField()
    {
        var path = _temp.File("catalog.json");
        var image = Image();
        var vm = VmId.New();
        var cp = ActiveOn(image, vm).FreezeAsCheckpoint(Snap("cp-1"), new CheckpointInfo("nightly", T0)).MarkUnreachable(T0.AddHours(1));
        var leaf = ActiveOn(cp, vm) with { Origin = image.Id };
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.Rebase, "flatten", T0, [leaf.Id], new RebaseStep(leaf.Id, cp.Id, image.Id));

        await new JsonFileDiskCatalog(path).ApplyAsync(new CatalogChange { Upserts = [image, cp, leaf], Begin = intent });
        var back = await new JsonFileDiskCatalog(path).LoadAsync();

        back.Disks.Should().BeEquivalentTo([image, cp, leaf]);
        back.Intents.Should().ContainSingle().Which.Should().BeEquivalentTo(intent);
        File.Exists(path + ".tmp").Should().BeFalse("the temporary file is renamed over the catalog");
    }

    [Fact]
    public async Task Apply_RemoveAndEndIntent_TakeEffectTogether()
    {
        var catalog = new JsonFileDiskCatalog(_temp.File("c.json"));
        var image = Image();
        var intent = new DiskIntent(DiskIntentId.New(), DiskIntentKind.DeleteFiles, "gc", T0, [image.Id]);
        await catalog.ApplyAsync(new CatalogChange { Upserts = [image] });

        await catalog.ApplyAsync(new CatalogChange { Removals = [image.Id], Begin = intent });
        var mid = await catalog.LoadAsync();
        await catalog.ApplyAsync(new CatalogChange { End = intent.Id });
        var end = await catalog.LoadAsync();

        mid.Disks.Should().BeEmpty();
        mid.Intents.Should().ContainSingle();
        end.Intents.Should().BeEmpty();
    }

    [Fact]
    public async Task Load_CorruptFile_SaysWhatToDo()
    {
        var path = _temp.File("bad.json");
        await File.WriteAllTextAsync(path, "{ not json");

        var act = async () => await new JsonFileDiskCatalog(path).LoadAsync();

        (await act.Should().ThrowAsync<DomainException>()).Which.Message.Should().Contain("restore it from a backup");
    }
}

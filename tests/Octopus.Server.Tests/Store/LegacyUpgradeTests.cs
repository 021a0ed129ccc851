using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Contracts.Agents;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Services;
using Octopus.Domain;
using Octopus.Persistence.Disks;
using Octopus.Persistence.Records;
using Octopus.Persistence.Sqlite;
using Octopus.Server.Agents;
using Octopus.Drivers.Agent;
using Octopus.Application.Agents;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Store;

/// <summary>Upgrading a data folder written by commit 0c1667b (tests/fixtures/legacy-0c1667b.tar.gz, made by
/// scripts/make-legacy-fixture through that version's real API): the current server imports disks.json, agents.json
/// and consolidation.json into the store once, backs them up in DATA/imported-legacy/, and every VM, disk, snapshot,
/// agent and setting survives. The fixture's disks are qcow2 files, so these tests need qemu-img. The fixture's store is
/// SQLite (DATA/octopus.db), so these tests run on SQLite whatever OCTOPUS_TEST_STORE says.</summary>
public sealed class LegacyUpgradeTests : IDisposable
{
    private const string Config = """
        { "Octopus": {
            "Simulation": { "OperationDelay": "00:00:00", "PowerTransitionDelay": "00:00:00" },
            "Scheduler": { "Interval": "00:00:00.05" },
            "Storage": { "Backend": "qemu-img" } } }
        """;
    private static readonly string[] LegacyFiles = ["disks.json", "agents.json", "consolidation.json"];
    private readonly string _root = Directory.CreateTempSubdirectory("octopus-upgrade-").FullName;

    private string Data => Path.Combine(_root, "data");
    private string ConfigFile => Path.Combine(_root, "config.json");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    [Fact]
    public async Task Start_On0c1667bDataFolder_ImportsOnceKeepsEverythingAndBacksUpTheFiles()
    {
        Assert.SkipWhen(!QemuImgOnPath(), "qemu-img is not installed (scripts/install-deps installs it)");
        await UnpackAsync();
        var legacyDisks = await new JsonFileDiskCatalog(Path.Combine(Data, "disks.json")).LoadAsync();
        var legacyAgents = JsonSerializer.Deserialize<List<AgentRecord>>(await File.ReadAllTextAsync(Path.Combine(Data, "agents.json")), SignedRequests.Json)!;
        legacyDisks.Disks.Should().NotBeEmpty("the fixture has images, VM disks, snapshots and a fork");
        legacyAgents.Should().ContainSingle();

        await using (var server = await TestServerApp.StartAsync(Config, Data, configFile: ConfigFile, store: TestStoreKind.Sqlite))
        {
            var alice = await server.LoginAsync("alice", "password-alice");
            var bob = await server.LoginAsync("bob", "password-bob");
            var aliceVms = (await (await alice.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>()).Items;
            aliceVms.Select(v => (v.Name, v.State)).Should().BeEquivalentTo([("web", "Running"), ("db", "Stopped"), ("web-copy", "Running")]);
            (await (await bob.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>()).Items.Should().ContainSingle(v => v.Name == "build" && v.State == "Running");

            var webSnapshots = await (await alice.GetAsync(ApiRoutes.Vm("web") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
            webSnapshots.Snapshots.Select(s => s.Name).Should().Equal("before-upgrade");
            var dbSnapshots = await (await alice.GetAsync(ApiRoutes.Vm("db") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
            dbSnapshots.Snapshots.Select(s => s.Name).Should().Equal("clean");

            var admin = await server.LoginAsync("admin", "fixture-admin-Passw0rd"); // scripts/make-legacy-fixture's password
            var tree = await (await admin.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
            tree.Disks.Select(d => d.Id).Should().BeEquivalentTo(legacyDisks.Disks.Select(d => d.Id.ToString()));
            tree.Disks.Should().NotContain(d => d.FileMissing);
            (await (await admin.GetAsync(ApiRoutes.Images)).ReadAsync<List<ImageDto>>()).Select(i => i.Name).Should().Contain("tiny");
            (await (await admin.GetAsync(ApiRoutes.PlanMode)).ReadAsync<PlanModeRequest>()).Mode.Should().Be("off", "the fixture's admin turned consolidation off");

            // A few control-loop passes later the VMs still run: the simulated hypervisor's state moved with its folder.
            await Task.Delay(300);
            (await alice.WaitForStateAsync("web-copy", "Running")).Host.Should().NotBeNull();
        }

        var stored = await new StoreDiskCatalog(SqliteStore.Factory(Path.Combine(Data, "octopus.db"))).LoadAsync();
        stored.Disks.Select(d => d with { Version = 0 }).Should().BeEquivalentTo(legacyDisks.Disks, "every field of every disk survived");
        await using (var db = SqliteStore.Factory(Path.Combine(Data, "octopus.db")).CreateDbContext())
        {
            (await db.Agents.AsNoTracking().ToListAsync()).Select(a => new AgentRecord(a.Id, a.Name, a.Url, a.Secret, a.RegisteredAt))
                .Should().BeEquivalentTo(legacyAgents);
        }
        foreach (var f in LegacyFiles)
        {
            File.Exists(Path.Combine(Data, f)).Should().BeFalse($"{f} was imported and moved away");
            File.Exists(Path.Combine(Data, "imported-legacy", f)).Should().BeTrue($"{f} is kept as a backup");
        }
        File.Exists(Path.Combine(Data, "simulated-cluster", "state.json")).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(Data).Select(Path.GetFileName).Where(n => n is not ("octopus.db-wal" or "octopus.db-shm"))
            .Should().BeEquivalentTo(["octopus.db", "storage", "simulated-cluster", "imported-legacy", "keys"], "DATA/ holds the store, the storage folder, "
                + "the simulated cluster's own folder, the backup of the imported files and the Data Protection key ring that seals BMC "
                + "passwords (kept out of the database on purpose: a copy of the database alone must not open them), nothing else");

        // A second start finds nothing to import: the backup is not touched, no second copy is made, everything is still there.
        var backupBefore = await File.ReadAllBytesAsync(Path.Combine(Data, "imported-legacy", "disks.json"));
        await using (var again = await TestServerApp.StartAsync(Config, Data, configFile: ConfigFile, store: TestStoreKind.Sqlite))
        {
            var alice = await again.LoginAsync("alice", "password-alice");
            (await (await alice.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>()).Items.Should().HaveCount(3);
        }
        Directory.GetFiles(Path.Combine(Data, "imported-legacy")).Select(Path.GetFileName).Should().BeEquivalentTo(LegacyFiles);
        (await File.ReadAllBytesAsync(Path.Combine(Data, "imported-legacy", "disks.json"))).Should().Equal(backupBefore);

        // The imported catalog agrees with the qcow2 files, as a restarted server's recovery would find it.
        var disks = DiskServices.Create(new StoreDiskCatalog(SqliteStore.Factory(Path.Combine(Data, "octopus.db"))),
            new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = Path.Combine(Data, "storage") }), TimeProvider.System);
        (await disks.Recovery.VerifyAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("agents.json", "[{ \"id\": \"not a guid\"")]
    [InlineData("disks.json", "{ \"Disks\": [ { \"Id\": 12 } ] }")]
    [InlineData("consolidation.json", "{ \"Mode\": \"sometimes\" }")]
    public async Task Start_CorruptLegacyFile_ErrorNamesItNothingImportedFilesUntouched(string file, string content)
    {
        Assert.SkipWhen(!QemuImgOnPath(), "qemu-img is not installed (scripts/install-deps installs it)");
        await UnpackAsync();
        await File.WriteAllTextAsync(Path.Combine(Data, file), content);
        var before = LegacyFiles.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(Data, f)));

        var act = async () => await TestServerApp.StartAsync(Config, Data, configFile: ConfigFile, store: TestStoreKind.Sqlite);

        var error = (await act.Should().ThrowAsync<DomainException>()).Which;
        error.Message.Should().Contain(Path.Combine(Data, file)).And.Contain("Nothing was imported").And.Contain("Restore the file from a backup");
        foreach (var f in LegacyFiles) (await File.ReadAllBytesAsync(Path.Combine(Data, f))).Should().Equal(before[f], $"{f} stays where it was, unchanged");
        Directory.Exists(Path.Combine(Data, "imported-legacy")).Should().BeFalse();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var db = SqliteStore.Factory(Path.Combine(Data, "octopus.db")).CreateDbContext();
        (await db.Disks.AnyAsync()).Should().BeFalse("nothing is half-imported");
        (await db.Agents.AnyAsync()).Should().BeFalse();
        (await db.Settings.AnyAsync(s => s.Key == SettingKeys.ConsolidationMode || s.Key == SettingKeys.LegacyImport)).Should().BeFalse();
    }

    private async Task UnpackAsync()
    {
        var fixture = Path.Combine(TestProcesses.RepositoryRoot(), "tests", "fixtures", "legacy-0c1667b.tar.gz");
        File.Exists(fixture).Should().BeTrue($"the fixture {fixture} is committed (scripts/make-legacy-fixture rebuilds it)");
        var tar = new ProcessStartInfo("tar") { RedirectStandardError = true };
        foreach (var a in new[] { "-xzf", fixture, "-C", _root }) tar.ArgumentList.Add(a);
        using var p = Process.Start(tar)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        p.ExitCode.Should().Be(0, err);
        await File.WriteAllTextAsync(ConfigFile, Config);
    }

    private static bool QemuImgOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "qemu-img")));
}

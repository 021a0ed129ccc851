using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Migration;
using Octopus.Drivers.Qemu.Processes;
using Octopus.Drivers.Qemu.Qmp;

namespace Octopus.Drivers.Qemu;

/// <summary>Live migration, both sides: the source drives, the target (this class as <see cref="IMigrationTarget"/>) prepares,
/// completes or aborts.</summary>
public sealed partial class QemuNodeDriver
{
    // ---------------------------------------------------------------- migration (source side)

    /// <summary>Live-migrates a running VM to <paramref name="target"/> over shared storage: the target starts the same
    /// machine with -incoming, the source runs "migrate" and polls query-migrate (reporting RAM progress 0–1), then the
    /// target confirms the VM runs there and the source QEMU quits. On any failure the VM keeps running here and the
    /// target is cleaned up.</summary>
    public Task<MigrationReport> MigrateToAsync(VmId vm, IMigrationTarget target, IProgress<double>? progress, CancellationToken ct) =>
        MigrateToAsync(vm, target, MigrationStorage.Shared, progress, ct);

    /// <summary>Live-migrates a running VM to <paramref name="target"/>. With <see cref="MigrationStorage.Copy"/> the hosts
    /// share no storage: the target makes a local disk and exports it over NBD, the source mirrors its disk into it
    /// (drive-mirror, progress 0–0.5) and then migrates RAM (0.5–1); the mirror is completed while the source is paused
    /// and the target resumes the guest on its own copy.</summary>
    public Task<MigrationReport> MigrateToAsync(VmId vm, IMigrationTarget target, MigrationStorage storage, IProgress<double>? progress, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (target.Host == Host) throw new DriverException($"VM {m.Spec.Name} is already on host {Host}.");
            var source = RequireProcess(m);
            var started = _time.GetTimestamp();
            var mirroring = false;
            JsonElement final;
            try
            {
                string uri;
                IProgress<double>? ramProgress = progress;
                if (storage == MigrationStorage.Shared)
                {
                    uri = await target.PrepareIncomingAsync(m.Spec, ct);
                }
                else
                {
                    var size = await DiskVirtualSizeAsync(source, ct);
                    var nbd = await target.PrepareIncomingWithDiskCopyAsync(m.Spec, size, ct);
                    await source.Qmp.ExecuteAsync("drive-mirror", new JsonObject
                    {
                        ["job-id"] = MirrorJob,
                        ["device"] = QemuCommandLine.DiskId,
                        ["target"] = nbd,
                        ["format"] = "raw",
                        ["sync"] = "full",
                        ["mode"] = "existing",
                    }, ct);
                    mirroring = true;
                    await WaitForMirrorReadyAsync(source, progress, ct);
                    uri = await target.StartIncomingMigrationAsync(vm, ct);
                    ramProgress = progress is null ? null : new ScaledProgress(progress, 0.5, 0.5);
                }
                if (_options.MigrationMaxBandwidth is { } bw)
                    await source.Qmp.ExecuteAsync("migrate-set-parameters", new JsonObject { ["max-bandwidth"] = bw }, ct);
                await source.Qmp.ExecuteAsync("migrate", new JsonObject { ["uri"] = uri }, ct);
                final = await PollMigrationAsync(source, ramProgress, ct);
                if (mirroring)
                {
                    // The source is paused now: cancelling a ready mirror completes it (remaining dirty blocks are
                    // copied) without switching the source to the target.
                    await source.Qmp.ExecuteAsync("block-job-cancel", new JsonObject { ["device"] = MirrorJob }, ct);
                    await WaitForJobGoneAsync(source, ct);
                    mirroring = false;
                }
            }
            catch (Exception e)
            {
                if (mirroring) await TryQmpAsync(source, "block-job-cancel", new JsonObject { ["device"] = MirrorJob, ["force"] = true }, CancellationToken.None);
                await RollBackMigrationAsync(m, source, target);
                if (e is OperationCanceledException && ct.IsCancellationRequested) throw;
                throw new DriverException(
                    $"live migration of VM {m.Spec.Name} to host {target.Host} failed ({e.Message}); it keeps running on host {Host}.", e);
            }

            try
            {
                await target.CompleteIncomingAsync(vm, ct);
            }
            catch (Exception e)
            {
                // The state was sent but the destination does not run it: the source still holds the VM (paused in
                // postmigrate), so resuming it here loses nothing.
                await target.AbortIncomingAsync(vm, CancellationToken.None);
                await TryQmpAsync(source, "cont", null, CancellationToken.None);
                throw new DriverException($"VM {m.Spec.Name} reached host {target.Host} but did not start there ({e.Message}); it runs on host {Host} again.", e);
            }
            progress?.Report(1.0);

            await QuitOrKillAsync(source, ct);
            await ForgetProcessAsync(m);
            await UnplugAsync(m.Spec, ct);
            m.Folder.Delete();
            _vms.TryRemove(vm, out _);
            return new MigrationReport(vm, Host, target.Host,
                TimeSpan.FromMilliseconds(final.TryGetProperty("total-time", out var t) ? t.GetInt64() : 0),
                TimeSpan.FromMilliseconds(final.TryGetProperty("downtime", out var d) ? d.GetInt64() : 0),
                final.TryGetProperty("ram", out var ram) && ram.TryGetProperty("transferred", out var tr) ? tr.GetInt64() : 0,
                _time.GetElapsedTime(started));
        }, ct);

    private const string MirrorJob = "octopus-mirror";

    private static async Task<long> DiskVirtualSizeAsync(QemuProcess p, CancellationToken ct)
    {
        var blocks = await p.Qmp.ExecuteAsync("query-block", null, ct);
        foreach (var b in blocks.EnumerateArray())
        {
            if (b.GetProperty("device").GetString() == QemuCommandLine.DiskId
                && b.TryGetProperty("inserted", out var ins) && ins.TryGetProperty("image", out var img))
                return img.GetProperty("virtual-size").GetInt64();
        }
        throw new DriverException($"QEMU reports no disk '{QemuCommandLine.DiskId}' to copy.");
    }

    private async Task WaitForMirrorReadyAsync(QemuProcess source, IProgress<double>? progress, CancellationToken ct)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            var jobs = await source.Qmp.ExecuteAsync("query-block-jobs", null, ct);
            var job = jobs.EnumerateArray().FirstOrDefault(j => j.GetProperty("device").GetString() == MirrorJob);
            if (job.ValueKind != JsonValueKind.Object) throw new DriverException("the disk mirror ended before it was in sync.");
            if (job.TryGetProperty("ready", out var ready) && ready.GetBoolean()) return;
            var len = job.GetProperty("len").GetInt64();
            if (len > 0) progress?.Report(0.5 * Math.Clamp(job.GetProperty("offset").GetInt64() / (double)len, 0, 1));
            if (_time.GetElapsedTime(start) > _options.MigrationTimeout)
                throw new DriverException($"the disk mirror was not in sync within {_options.MigrationTimeout.TotalSeconds:0} s.");
            await Task.Delay(_options.MigrationPollInterval, _time, ct);
        }
    }

    private async Task WaitForJobGoneAsync(QemuProcess source, CancellationToken ct)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            var jobs = await source.Qmp.ExecuteAsync("query-block-jobs", null, ct);
            if (!jobs.EnumerateArray().Any(j => j.GetProperty("device").GetString() == MirrorJob)) return;
            if (_time.GetElapsedTime(start) > _options.MigrationTimeout)
                throw new DriverException("the disk mirror did not complete after the migration.");
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, ct);
        }
    }

    /// <summary>Maps 0–1 onto [offset, offset + scale].</summary>
    private sealed class ScaledProgress(IProgress<double> inner, double offset, double scale) : IProgress<double>
    {
        public void Report(double value) => inner.Report(offset + scale * value);
    }

    private async Task<JsonElement> PollMigrationAsync(QemuProcess source, IProgress<double>? progress, CancellationToken ct)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            var info = await source.Qmp.ExecuteAsync("query-migrate", null, ct);
            var status = info.TryGetProperty("status", out var s) ? s.GetString() : null;
            switch (status)
            {
                case "completed":
                    return info;
                case "failed" or "cancelled":
                    var why = info.TryGetProperty("error-desc", out var err) ? err.GetString() : status;
                    throw new DriverException($"QEMU reports the migration {status}: {why}");
                default:
                    if (info.TryGetProperty("ram", out var ram) && ram.TryGetProperty("total", out var total) && total.GetInt64() > 0)
                    {
                        var done = ram.GetProperty("transferred").GetInt64() / (double)total.GetInt64();
                        progress?.Report(Math.Clamp(done, 0, 0.99));
                    }
                    break;
            }
            if (_time.GetElapsedTime(start) > _options.MigrationTimeout)
                throw new DriverException($"migration did not finish within {_options.MigrationTimeout.TotalSeconds:0} s (status {status}).");
            await Task.Delay(_options.MigrationPollInterval, _time, ct);
        }
    }

    private async Task RollBackMigrationAsync(ManagedVm m, QemuProcess source, IMigrationTarget target)
    {
        await TryQmpAsync(source, "migrate_cancel", null, CancellationToken.None);
        await target.AbortIncomingAsync(m.Spec.Id, CancellationToken.None);
        // A cancelled or failed migration leaves QEMU running again on its own; if it stopped in postmigrate the
        // destination never ran the VM (it was just killed), so resuming here is safe.
        try
        {
            var status = await source.Qmp.ExecuteAsync("query-status", null, CancellationToken.None);
            if (status.GetProperty("status").GetString() is "postmigrate" or "finish-migrate")
                await TryQmpAsync(source, "cont", null, CancellationToken.None);
        }
        catch (Exception e) when (e is QmpException or QmpConnectionException)
        {
            // The source QEMU itself is gone: nothing left to resume; the caller reports the failure.
        }
    }

    // ---------------------------------------------------------------- migration (destination side)

    public async Task<string> PrepareIncomingAsync(QemuVmSpec spec, CancellationToken ct)
    {
        spec.Validate();
        var folder = new VmFolder(_options.DataDir, spec.Id);
        var vm = _vms.GetOrAdd(spec.Id, _ => new ManagedVm(folder, spec));
        return await WithGateAsync(vm, async () =>
        {
            if (vm.Process is { IsAlive: true } && !vm.Incoming)
                throw new DriverException($"VM {spec.Name} already runs on host {Host}; it cannot migrate here.");
            if (vm.Incoming && vm.IncomingUri is { } waiting && vm.Process is { IsAlive: true } && vm.Spec == spec) return waiting; // a replay
            if (vm.Process is not null) await vm.Process.KillAsync(ct);
            await ForgetProcessAsync(vm);
            folder.Delete();
            folder.Create();
            folder.WriteSpec(spec);
            vm.Spec = spec;
            vm.Incoming = true;
            var port = FreeTcpPort(_options.MigrationListenAddress);
            var argv = QemuCommandLine.Build(spec, folder, _options, new IncomingMigration.Tcp(_options.MigrationListenAddress, port));
            try
            {
                await PlugAsync(spec, ct);
                await WriteSeedAsync(spec, folder, ct);
                vm.Process = await QemuProcess.LaunchAsync(folder, argv, _options, _time, ct);
            }
            catch
            {
                folder.Delete();
                _vms.TryRemove(spec.Id, out _);
                throw;
            }
            vm.IncomingUri = $"tcp:{_options.MigrationListenAddress}:{port}";
            return vm.IncomingUri;
        }, ct);
    }

    public async Task<string> PrepareIncomingWithDiskCopyAsync(QemuVmSpec spec, long diskVirtualSize, CancellationToken ct)
    {
        spec.Validate();
        if (diskVirtualSize <= 0) throw new DriverException($"VM {spec.Name}: disk size to receive must be positive; got {diskVirtualSize}.");
        var folder = new VmFolder(_options.DataDir, spec.Id);
        var vm = _vms.GetOrAdd(spec.Id, _ => new ManagedVm(folder, spec));
        return await WithGateAsync(vm, async () =>
        {
            if (vm.Process is { IsAlive: true } && !vm.Incoming)
                throw new DriverException($"VM {spec.Name} already runs on host {Host}; it cannot migrate here.");
            if (vm.Process is not null) await vm.Process.KillAsync(ct);
            await ForgetProcessAsync(vm);
            var disk = Path.Combine(_options.EffectiveLocalDiskDir, $"{spec.Id}.qcow2");
            if (File.Exists(disk) && vm.ReceivedDisk != disk)
                throw new DriverException($"host {Host} already has a disk {disk}; it will not overwrite it with VM {spec.Name}'s.");
            var local = spec with { Disk = disk };
            try
            {
                folder.Delete();
                folder.Create();
                folder.WriteSpec(local);
                Directory.CreateDirectory(_options.EffectiveLocalDiskDir);
                File.Delete(disk);
                await _qemuImg.CreateAsync(disk, diskVirtualSize, ct);
                vm.ReceivedDisk = disk;
                vm.Spec = local;
                vm.Incoming = true;
                await PlugAsync(local, ct);
                await WriteSeedAsync(local, folder, ct);
                vm.Process = await QemuProcess.LaunchAsync(folder, QemuCommandLine.Build(local, folder, _options, new IncomingMigration.Deferred()), _options, _time, ct);
                var port = FreeTcpPort(_options.MigrationListenAddress);
                await vm.Process.Qmp.ExecuteAsync("nbd-server-start", new JsonObject
                {
                    ["addr"] = new JsonObject
                    {
                        ["type"] = "inet",
                        ["data"] = new JsonObject { ["host"] = _options.MigrationListenAddress, ["port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    },
                }, ct);
                await vm.Process.Qmp.ExecuteAsync("nbd-server-add", new JsonObject { ["device"] = QemuCommandLine.DiskId, ["writable"] = true }, ct);
                return $"nbd:{_options.MigrationListenAddress}:{port}:exportname={QemuCommandLine.DiskId}";
            }
            catch
            {
                if (vm.Process is not null) await vm.Process.KillAsync(CancellationToken.None);
                await ForgetProcessAsync(vm);
                folder.Delete();
                File.Delete(disk);
                _vms.TryRemove(spec.Id, out _);
                throw;
            }
        }, ct);
    }

    public Task<string> StartIncomingMigrationAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (!m.Incoming) throw new DriverException($"VM {m.Spec.Name} is not waiting for a migration on host {Host}.");
            var port = FreeTcpPort(_options.MigrationListenAddress);
            var uri = $"tcp:{_options.MigrationListenAddress}:{port}";
            await RequireProcess(m).Qmp.ExecuteAsync("migrate-incoming", new JsonObject { ["uri"] = uri }, ct);
            return uri;
        }, ct);

    public Task CompleteIncomingAsync(VmId vm, CancellationToken ct) =>
        WithVmAsync(vm, async m =>
        {
            if (!m.Incoming) return;
            var p = RequireProcess(m);
            // With shared storage QEMU resumes the guest by itself once the last page arrived ("inmigrate" may linger
            // for a moment). After a disk copy it was started with -S: it waits "paused" until the NBD export is
            // stopped and it is told to continue.
            var start = _time.GetTimestamp();
            while (true)
            {
                var status = (await p.Qmp.ExecuteAsync("query-status", null, ct)).GetProperty("status").GetString();
                if (status == "running") break;
                if (status == "paused" && m.ReceivedDisk is not null)
                {
                    await p.Qmp.ExecuteAsync("nbd-server-stop", null, ct);
                    await p.Qmp.ExecuteAsync("cont", null, ct);
                    continue;
                }
                if (status is not ("inmigrate" or "prelaunch" or "paused") || _time.GetElapsedTime(start) > _options.QmpTimeout)
                    throw new DriverException($"VM {m.Spec.Name} is '{status}' on host {Host} after migration, not running.");
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, ct);
            }
            m.Incoming = false;
            m.ReceivedDisk = null;
        }, ct);

    public async Task AbortIncomingAsync(VmId vm, CancellationToken ct)
    {
        if (!_vms.TryGetValue(vm, out var m)) return;
        await WithGateAsync(m, async () =>
        {
            if (!m.Incoming) return;
            if (m.Process is not null) await m.Process.KillAsync(ct);
            await ForgetProcessAsync(m);
            await UnplugAsync(m.Spec, ct);
            m.Folder.Delete();
            if (m.ReceivedDisk is not null) File.Delete(m.ReceivedDisk);
            _vms.TryRemove(vm, out _);
        }, ct);
    }

    private static int FreeTcpPort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

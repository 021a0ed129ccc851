using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Client;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary>The differencing-disk commands: <c>vm fork|snapshot|snapshots|revert</c> (added to the <c>vm</c> group) and
/// <c>disk tree|gc</c>. With <c>--json</c> each prints the API's answer.</summary>
internal static class DiskCommands
{
    /// <summary>Adds fork, snapshot (with <c>snapshot delete</c>), snapshots and revert to the <c>vm</c> group.</summary>
    public static void AddVmCommands(Command vm, CliGlobals g)
    {
        vm.Add(Fork(g));
        vm.Add(Snapshot(g));
        vm.Add(Snapshots(g));
        vm.Add(Revert(g));
    }

    /// <summary>Adds <c>image import NAME FILE</c> and <c>image delete NAME</c> (admins) to the <c>image</c> group.</summary>
    public static void AddImageCommands(Command image, CliGlobals g)
    {
        var name = new Argument<string>("name") { Description = "Name of the new image", HelpName = "NAME" };
        var file = new Argument<string>("file") { Description = "The image file on the server, under an import folder (default DATA/import)", HelpName = "FILE" };
        var format = new Option<string?>("--format") { Description = "qcow2, raw, vpc (vhd) or vhdx (default: detected)", HelpName = "FORMAT" };
        var cloudInit = new Option<bool>("--cloud-init") { Description = "The image runs cloud-init: its VMs get a NoCloud seed disk (host name, SSH keys, user-data)" };
        var import = new Command("import", "Import an image file (converted to qcow2; admins only)") { name, file, format, cloudInit };
        g.Action(import, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            // The server reads the file: a relative path means relative to where the command runs (same machine).
            var img = await client.Images.ImportAsync(new ImageImportRequest(parse.GetValue(name)!, Path.GetFullPath(parse.GetValue(file)!),
                parse.GetValue(format), parse.GetValue(cloudInit)), ct);
            if (ctx.Json) ctx.Output.WriteJson(img);
            else ctx.Output.Note($"Imported image {img.Name} ({img.SizeBytes} bytes virtual).");
            return ExitCodes.Ok;
        });
        image.Add(import);

        var setName = new Argument<string>("name") { Description = "The image to change", HelpName = "NAME" };
        var setCloudInit = new Option<bool?>("--cloud-init")
        {
            Description = "true: the image runs cloud-init and its VMs get a NoCloud seed disk from their next start; false: they do not",
            HelpName = "true|false",
        };
        var set = new Command("set", "Change what is said about an image (admins only)") { setName, setCloudInit };
        g.Action(set, async (ctx, parse, ct) =>
        {
            if (parse.GetValue(setCloudInit) is not { } flag)
            {
                ctx.Output.Error("Nothing to change.", "Give --cloud-init true or --cloud-init false.");
                return ExitCodes.Usage;
            }
            using var client = ctx.Connect();
            var img = await client.Images.UpdateAsync(parse.GetValue(setName)!, new ImageUpdateRequest(flag), ct);
            if (ctx.Json) ctx.Output.WriteJson(img);
            else ctx.Output.Note($"Image {img.Name}: cloud-init {(img.CloudInit ? "capable (its VMs get a NoCloud seed disk)" : "off")}.");
            return ExitCodes.Ok;
        });
        image.Add(set);

        var delName = new Argument<string>("name") { Description = "The image to delete", HelpName = "NAME" };
        var delete = new Command("delete", "Delete an image (refused while VMs or snapshots depend on it; admins only)") { delName };
        delete.Aliases.Add("rm");
        g.Action(delete, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            await client.Images.DeleteAsync(parse.GetValue(delName)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(new { image = parse.GetValue(delName), deleted = true });
            else ctx.Output.Note($"Deleted image {parse.GetValue(delName)}.");
            return ExitCodes.Ok;
        });
        image.Add(delete);
    }

    public static Command Build(CliGlobals g)
    {
        var disk = new Command("disk", "The differencing-disk tree: what exists, what keeps it alive, garbage collection");
        disk.Add(Tree(g));
        disk.Add(Gc(g));
        return disk;
    }

    private static Argument<string> Vm(string name = "vm", string description = "The VM's name or id") =>
        new(name) { Description = description, HelpName = "NAME|ID" };

    private static Argument<string> SnapshotName() => new("name") { Description = "Snapshot name (letters, digits, . _ -)", HelpName = "SNAPSHOT" };

    private static Command Fork(CliGlobals g)
    {
        var source = Vm("source", "The VM to fork (name or id)");
        var name = new Argument<string>("new") { Description = "Name of the new VM", HelpName = "NEW" };
        var cores = new Option<int?>("--cores") { Description = "Virtual CPUs (default: the source's)", HelpName = "N" };
        cores.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--cores must be at least 1.");
        });
        var memory = CommonOptions.Size("--memory", "Memory, e.g. 4GiB (default: the source's)");
        var disk = CommonOptions.Size("--disk", "Disk size, e.g. 40GiB (default: the source's; disks only grow)");
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.Timeout();
        var command = new Command("fork", "Create a new VM whose disk is a new child of SOURCE's current state (nothing is copied)")
        {
            source, name, cores, memory, disk, noWait, timeout,
        };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var request = new VmForkRequest(parse.GetValue(name)!, parse.GetValue(cores), parse.GetValue(memory)?.Bytes, parse.GetValue(disk)?.Bytes);
            var created = await client.Disks.ForkAsync(parse.GetValue(source)!, request, ct);
            if (parse.GetValue(noWait))
            {
                if (ctx.Json) ctx.Output.WriteJson(created);
                else ctx.Output.Note($"Forked {parse.GetValue(source)} into {created.Name} ({created.Id}): {created.State}.");
                return ExitCodes.Ok;
            }
            var final = await OperationProgress.WaitAsync(ctx.Output, client, created, "Creating", VmCommands.CreateSettled,
                TimeSpan.FromSeconds(parse.GetValue(timeout)), ct)
                ?? throw CliException.Rejected($"VM {created.Name} disappeared while it was being created.");
            if (final.Is(VmStates.Failed)) throw CliException.Rejected($"VM {final.Name} failed: {final.StatusReason ?? "no reason given"}.");
            if (ctx.Json) ctx.Output.WriteJson(final);
            else ctx.Output.Note($"Forked {parse.GetValue(source)} into {final.Name}: {final.State}{(final.Host is { Length: > 0 } h ? " on " + h : "")}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Snapshot(CliGlobals g)
    {
        var vm = Vm();
        var name = SnapshotName();
        var command = new Command("snapshot", "Take a named snapshot of a VM's disk (the VM continues on a new child)") { vm, name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var s = await client.Disks.SnapshotAsync(parse.GetValue(vm)!, parse.GetValue(name)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(s);
            else ctx.Output.Note($"Snapshot {s.Name} of {parse.GetValue(vm)} taken.");
            return ExitCodes.Ok;
        });

        var delVm = Vm();
        var delName = SnapshotName();
        var delete = new Command("delete", "Delete a snapshot (its data stays while later disks need it)") { delVm, delName };
        delete.Aliases.Add("rm");
        g.Action(delete, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            await client.Disks.DeleteSnapshotAsync(parse.GetValue(delVm)!, parse.GetValue(delName)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(new { vm = parse.GetValue(delVm), snapshot = parse.GetValue(delName), deleted = true });
            else ctx.Output.Note($"Snapshot {parse.GetValue(delName)} of {parse.GetValue(delVm)} deleted.");
            return ExitCodes.Ok;
        });
        command.Add(delete);
        return command;
    }

    private static Command Snapshots(CliGlobals g)
    {
        var vm = Vm();
        var command = new Command("snapshots", "Show a VM's snapshots as a tree, with where it runs now (current)") { vm };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var tree = await client.Disks.SnapshotsAsync(parse.GetValue(vm)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(tree);
            else ctx.Output.Note(tree.Text);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revert(CliGlobals g)
    {
        var vm = Vm();
        var name = SnapshotName();
        var restart = new Option<bool>("--restart")
        {
            Description = "Revert a running VM: stop it, revert it and start it again, as one server operation",
        };
        var command = new Command("revert", "Continue a stopped VM from one of its snapshots (a running one with --restart)") { vm, name, restart };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var again = parse.GetValue(restart);
            var disk = await client.Disks.RevertAsync(parse.GetValue(vm)!, parse.GetValue(name)!, again, ct);
            if (disk is null)
            {
                ctx.Output.Note($"{parse.GetValue(vm)}: {(again ? "stop, revert to " + parse.GetValue(name) + " and start" : "the revert to " + parse.GetValue(name))} " +
                    $"is still running on the server; follow it with: octopus vm show {parse.GetValue(vm)}");
                return ExitCodes.Ok;
            }
            if (ctx.Json) ctx.Output.WriteJson(disk);
            else ctx.Output.Note(again ? $"{disk.Vm} reverted to {parse.GetValue(name)} and running again." : $"{disk.Vm} reverted to {parse.GetValue(name)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Tree(CliGlobals g)
    {
        var vm = new Option<string?>("--vm") { Description = "Only this VM's disks and their ancestors", HelpName = "NAME|ID" };
        var command = new Command("tree", "Show the disk tree with sizes, owners and what keeps each disk alive (users: their own VMs)") { vm };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var tree = await client.Disks.TreeAsync(parse.GetValue(vm), ct);
            if (ctx.Json) ctx.Output.WriteJson(tree);
            else ctx.Output.Note(tree.Text);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Gc(CliGlobals g)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be collected, with bytes" };
        var command = new Command("gc", "Collect disks nothing uses any more, after their grace period (admins only)") { dryRun };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var report = await client.Disks.CollectAsync(parse.GetValue(dryRun), ct);
            if (ctx.Json) ctx.Output.WriteJson(report);
            else ctx.Output.Note(report.Text);
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Client;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary><c>vm create|list|show|start|stop|reboot|delete|explain</c>. A VM is named by its name or its id.
/// Commands follow the operation to its end (spinner on a terminal) unless <c>--no-wait</c>.</summary>
internal static class VmCommands
{
    public static Command Build(CliGlobals g)
    {
        var vm = new Command("vm", "Create, list and drive virtual machines");
        vm.Add(Create(g));
        vm.Add(List(g));
        vm.Add(Show(g));
        vm.Add(Power(g, "start", "Start a stopped VM", "Starting", (c, id, ct) => c.Vms.StartAsync(id, ct), VmStates.Running));
        vm.Add(Power(g, "stop", "Stop a running VM", "Stopping", (c, id, ct) => c.Vms.StopAsync(id, ct), VmStates.Stopped));
        vm.Add(Power(g, "reboot", "Reboot a running VM", "Rebooting", (c, id, ct) => c.Vms.RebootAsync(id, ct), VmStates.Running));
        vm.Add(Migrate(g));
        vm.Add(Delete(g));
        vm.Add(Explain(g));
        vm.Add(VmConsoleCommand.Build(g));
        vm.Add(VmRuleCommands.Build(g));
        DiskCommands.AddVmCommands(vm, g);
        PolicyCommands.AddVmCommands(vm, g);
        return vm;
    }

    private static Argument<string> VmArgument() => new("vm") { Description = "The VM's name or id", HelpName = "NAME|ID" };

    private static Command Create(CliGlobals g)
    {
        var name = new Option<string>("--name") { Description = "VM name (unique per owner)", Required = true, HelpName = "NAME" };
        var cores = new Option<int>("--cores") { Description = "Virtual CPUs", Required = true, HelpName = "N" };
        cores.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--cores must be at least 1.");
        });
        var memory = CommonOptions.Size("--memory", "Memory, e.g. 4GiB", required: true);
        var disk = CommonOptions.Size("--disk", "Disk size, e.g. 20GiB", required: true);
        var image = new Option<string>("--image") { Description = "Image to create the disk from (see `octopus image list`)", Required = true, HelpName = "IMAGE" };
        var tags = new Option<string[]>("--tag") { Description = "A tag; repeat for more", HelpName = "TAG", Arity = ArgumentArity.ZeroOrMore };
        var owner = new Option<string?>("--owner") { Description = "Create on behalf of this user (admins only)", HelpName = "USER" };
        var networks = new Option<string[]>("--network")
        {
            Description = "Attach a NIC on this network (see `octopus network list`); repeat for more. Default: the server's default network",
            HelpName = "NETWORK", Arity = ArgumentArity.ZeroOrMore,
        };
        var sshKeys = new Option<string[]>("--ssh-key")
        {
            Description = "Give the VM this key: the name of a key in your profile (`octopus key list`) or a .pub file; repeat for more",
            HelpName = "NAME|FILE", Arity = ArgumentArity.ZeroOrMore,
        };
        var userData = new Option<string?>("--user-data")
        {
            Description = "cloud-init user-data for a cloud-init image: a file starting with #cloud-config or #! (or a MIME multipart), at most 64 KiB",
            HelpName = "FILE",
        };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.Timeout();
        var command = new Command("create", "Create a VM; waits until it runs (or cannot be placed) unless --no-wait")
        {
            name, cores, memory, disk, image, tags, owner, networks, sshKeys, userData, noWait, timeout,
        };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var tagList = parse.GetValue(tags) is { Length: > 0 } t ? t : null;
            var request = new VmCreateRequest(parse.GetValue(name)!, parse.GetValue(cores), parse.GetValue(memory)!.Value.Bytes,
                parse.GetValue(disk)!.Value.Bytes, parse.GetValue(image)!, tagList, null, parse.GetValue(owner),
                parse.GetValue(networks) is { Length: > 0 } n ? n : null,
                parse.GetValue(sshKeys) is { Length: > 0 } k ? [.. k.Select(KeyCommands.NameOrFile)] : null,
                parse.GetValue(userData) is { } file ? ReadUserData(file) : null);
            var created = await client.Vms.CreateAsync(request, ct);
            if (parse.GetValue(noWait)) return Report(ctx, created, $"Created {created.Name} ({created.Id}): {created.State}.");

            var final = await OperationProgress.WaitAsync(ctx.Output, client, created, "Creating", CreateSettled,
                TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            if (final is null) throw CliException.Rejected($"VM {created.Name} disappeared while it was being created.");
            if (final.Is(VmStates.Pending))
            {
                ctx.Output.Warning($"{final.Name} is pending: {final.StatusReason ?? "no host has room"}. " +
                                   $"It will be placed when capacity appears; `octopus vm explain {final.Name}` shows why.");
            }
            return Finish(ctx, final, "created", VmStates.Running);
        });
        return command;
    }

    /// <summary>The text of a user-data file, sent as it is: the server checks its size (64 KiB) and its first line. A file
    /// far past the limit is refused here without reading it; bytes that are not UTF-8 are refused too.</summary>
    internal static string ReadUserData(string path)
    {
        if (!File.Exists(path)) throw CliException.Usage($"There is no file {path}.", "give the path of a #cloud-config or #! user-data file.");
        var info = new FileInfo(path);
        if (info.Length > 1024 * 1024)
            throw CliException.Usage($"{path} is {info.Length} bytes; user-data may be at most 65536 bytes (64 KiB).", "make it smaller, e.g. have a short #cloud-config fetch the rest.");
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw CliException.Usage($"{path} is not UTF-8 text; user-data must be text (compressed or binary user-data is not accepted).");
        }
    }

    /// <summary>A new VM has settled once it is past the transitional states and the scheduler has had its say: a VM
    /// still "waiting for placement" has not been looked at yet, while any other pending reason is the scheduler's
    /// verdict that nothing fits right now.</summary>
    internal static bool CreateSettled(VmDto vm) =>
        !VmStates.IsTransitional(vm.State)
        && !(vm.Is(VmStates.Pending) && (vm.StatusReason is null || vm.StatusReason.StartsWith("waiting for placement", StringComparison.OrdinalIgnoreCase)));

    private static Command List(CliGlobals g)
    {
        var owner = new Option<string?>("--owner") { Description = "Only this user's VMs", HelpName = "USER" };
        var state = new Option<string?>("--state") { Description = "Only VMs in this state (Running, Stopped, Pending, …)", HelpName = "STATE" };
        var host = new Option<string?>("--host") { Description = "Only VMs on this host", HelpName = "HOST" };
        var tag = new Option<string?>("--tag") { Description = "Only VMs with this tag", HelpName = "TAG" };
        var command = new Command("list", "List VMs (yours; admins see everyone's)") { owner, state, host, tag };
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var query = new VmQuery(parse.GetValue(owner), parse.GetValue(state), parse.GetValue(host), parse.GetValue(tag));
            var vms = new List<VmDto>();
            await foreach (var vm in client.Vms.ListAsync(query, ct: ct)) vms.Add(vm);
            if (ctx.Json) ctx.Output.WriteJson(vms);
            else if (vms.Count == 0) ctx.Output.Note("No VMs.");
            else ctx.Output.Write(Views.VmTable(ctx.Output, vms));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliGlobals g)
    {
        var vm = VmArgument();
        var command = new Command("show", "Show one VM in detail") { vm };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var dto = await client.Vms.GetAsync(parse.GetValue(vm)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(dto);
            else ctx.Output.Write(Views.VmDetails(dto));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Power(CliGlobals g, string verb, string description, string progressVerb,
        Func<OctopusClient, string, CancellationToken, Task<VmDto>> send, string expected)
    {
        var vm = VmArgument();
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.Timeout();
        var command = new Command(verb, description) { vm, noWait, timeout };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var accepted = await send(client, parse.GetValue(vm)!, ct);
            if (parse.GetValue(noWait)) return Report(ctx, accepted, $"{accepted.Name}: {accepted.State}.");
            var final = await OperationProgress.WaitAsync(ctx.Output, client, accepted, progressVerb,
                v => !VmStates.IsTransitional(v.State), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            if (final is null) throw CliException.Rejected($"VM {accepted.Name} was deleted while {progressVerb.ToLowerInvariant()}.");
            return Finish(ctx, final, verb switch { "start" => "started", "stop" => "stopped", _ => "rebooted" }, expected);
        });
        return command;
    }

    /// <summary>Starts a live migration and follows its operation: a progress bar fed by the driver's progress on a
    /// terminal, silence otherwise; <c>--json</c> prints the VM with the finished operation (total time, downtime) under
    /// <c>migration</c>. A failed migration
    /// is exit 1 with the reason (the VM keeps running on its source).</summary>
    private static Command Migrate(CliGlobals g)
    {
        var vm = VmArgument();
        var to = new Option<string>("--to") { Description = "Destination host", HelpName = "HOST", Required = true };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.Timeout();
        var command = new Command("migrate", "Live-migrate a running VM to another host (admins only); shows its progress") { vm, to, noWait, timeout };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var accepted = await client.Vms.MigrateAsync(parse.GetValue(vm)!, parse.GetValue(to)!, ct);
            if (parse.GetValue(noWait)) return Report(ctx, accepted, $"{accepted.Name}: {accepted.State}.");
            var source = accepted.Host;
            var op = await MigrationProgress.WaitAsync(ctx.Output, client, accepted, parse.GetValue(to)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            if (ctx.Json)
            {
                // The VM as it ended up (as before), with the migration's figures added under "migration".
                var result = System.Text.Json.JsonSerializer.SerializeToNode(await client.Vms.GetAsync(accepted.Id, ct), Output.JsonOptions)!.AsObject();
                result["migration"] = System.Text.Json.JsonSerializer.SerializeToNode(op, Output.JsonOptions);
                ctx.Output.WriteJson(result);
            }
            if (op.Status != "Succeeded")
                throw CliException.Rejected($"Migration of {accepted.Name} to {op.TargetHost ?? parse.GetValue(to)} failed: {op.Error ?? "no reason given"}.",
                    $"The VM keeps running on {source ?? "its source host"}; `octopus vm show {accepted.Name}` has the details.");
            if (!ctx.Json)
            {
                var total = op.TotalSeconds is { } t ? $"in {t.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s" : "";
                var down = op.DowntimeMilliseconds is { } d ? $", downtime {d.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} ms" : ", downtime not reported by the driver";
                ctx.Output.Note($"VM {accepted.Name} migrated to {op.TargetHost} {total}{down}.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Deleting asks first when a person is at the terminal (stdin is a terminal) unless --yes; scripts
    /// (stdin not a terminal) are taken at their word, as with <c>rm</c> without <c>-i</c>.</summary>
    private static Command Delete(CliGlobals g)
    {
        var vm = VmArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.Timeout();
        var command = new Command("delete", "Delete a VM and its disk (asks first on a terminal unless --yes)") { vm, yes, noWait, timeout };
        command.Aliases.Add("rm");
        g.Action(command, async (ctx, parse, ct) =>
        {
            var target = parse.GetValue(vm)!;
            using var client = ctx.Connect();
            if (!parse.GetValue(yes) && ctx.Host.InputIsTerminal)
            {
                var answer = ctx.Host.Confirm($"Delete VM {target} and its disk?");
                if (answer != true)
                {
                    ctx.Output.Note("Not deleted.");
                    return ExitCodes.Rejected;
                }
            }
            var accepted = await client.Vms.DeleteAsync(target, ct);
            if (parse.GetValue(noWait)) return Report(ctx, accepted, $"{accepted.Name}: {accepted.State}.");
            var final = await OperationProgress.WaitAsync(ctx.Output, client, accepted, "Deleting",
                v => v.Is(VmStates.Failed), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            if (final is not null) return Finish(ctx, final, "deleted", expected: "(gone)");
            if (ctx.Json) ctx.Output.WriteJson(new { accepted.Id, accepted.Name, deleted = true });
            else ctx.Output.Note($"Deleted {accepted.Name}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Explain(CliGlobals g)
    {
        var vm = VmArgument();
        var command = new Command("explain", "Explain the VM's placement: each host's rejections or scores") { vm };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var placement = await client.Vms.GetPlacementAsync(parse.GetValue(vm)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(placement);
            else ctx.Output.Write(Views.Placement(ctx.Output, placement));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int Report(CliContext ctx, VmDto vm, string line)
    {
        if (ctx.Json) ctx.Output.WriteJson(vm);
        else ctx.Output.Note(line);
        return ExitCodes.Ok;
    }

    /// <summary>Prints where the VM ended up; a Failed VM is exit 1 with its reason.</summary>
    private static int Finish(CliContext ctx, VmDto final, string done, string expected)
    {
        if (final.Is(VmStates.Failed))
        {
            if (ctx.Json) ctx.Output.WriteJson(final);
            throw CliException.Rejected($"VM {final.Name} failed: {final.StatusReason ?? "no reason given"}.",
                $"`octopus vm show {final.Name}` has the details; start or delete it to recover.");
        }
        if (ctx.Json)
        {
            ctx.Output.WriteJson(final);
            return ExitCodes.Ok;
        }
        var where = final.Host is { Length: > 0 } h ? $" on {h}" : "";
        var line = final.Is(expected) ? $"VM {final.Name} {done}: {final.State}{where}." : $"VM {final.Name}: {final.State}{where}.";
        ctx.Output.Note(line);
        return ExitCodes.Ok;
    }
}

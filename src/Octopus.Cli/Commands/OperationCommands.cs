using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Client;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary><c>octopus operation list|show|wait</c>: the operations journal — what the caller's VMs are doing or did
/// (admins: the whole cluster), with each operation's steps and why one failed.</summary>
internal static class OperationCommands
{
    public static Command Build(CliGlobals g)
    {
        var root = new Command("operation", "The operations journal: what your VMs are doing or did, step by step");
        root.Aliases.Add("op");
        root.Add(List(g));
        root.Add(Show(g));
        root.Add(Wait(g));
        return root;
    }

    private static Command List(CliGlobals g)
    {
        var status = new Option<string?>("--status") { Description = "Only operations in this state", HelpName = "pending|running|succeeded|failed|open|finished" };
        status.AcceptOnlyFromAmong("pending", "running", "succeeded", "failed", "open", "finished");
        var vm = new Option<string?>("--vm") { Description = "Only operations on this VM (name or id)", HelpName = "VM" };
        var kind = new Option<string?>("--kind") { Description = "Only this kind (create-vm, start-vm, migrate-vm, power-off-host, …)", HelpName = "KIND" };
        var mine = new Option<bool>("--mine") { Description = "Admins: only operations on your VMs or started by you" };
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first", HelpName = "N", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--limit must be at least 1.");
        });
        var command = new Command("list", "List operations, newest first") { status, vm, kind, mine, limit };
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var n = parse.GetValue(limit);
            var query = new OperationQuery(parse.GetValue(status), parse.GetValue(vm), parse.GetValue(kind), parse.GetValue(mine));
            var ops = new List<OperationDto>(Math.Min(n, 1000));
            await foreach (var op in client.Operations.ListAsync(query, Math.Min(n, 200), ct))
            {
                ops.Add(op);
                if (ops.Count >= n) break;
            }
            if (ctx.Json) ctx.Output.WriteJson(ops);
            else if (ops.Count == 0) ctx.Output.Note("No operation matches.");
            else ctx.Output.Write(Views.OperationTable(ctx.Output, ops));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The operation's id (from `octopus operation list`)" };

    private static Command Show(CliGlobals g)
    {
        var id = IdArgument();
        var command = new Command("show", "Show one operation with its steps and, if it failed, why") { id };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var op = await client.Operations.GetAsync(parse.GetValue(id)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(op);
            else ctx.Output.Write(Views.OperationDetails(op));
            return op.Status == "Failed" ? ExitCodes.Rejected : ExitCodes.Ok;
        });
        return command;
    }

    private static Command Wait(CliGlobals g)
    {
        var id = IdArgument();
        var timeout = new Option<int>("--timeout") { Description = "Give up after this many seconds", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 86400) r.AddError("--timeout must be between 1 and 86400 seconds.");
        });
        var command = new Command("wait", "Wait until an operation has succeeded or failed; exit 1 if it failed") { id, timeout };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            OperationDto op;
            try { op = await client.Operations.WaitAsync(parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), ct); }
            catch (TimeoutException e) { throw CliException.Rejected(e.Message, "wait longer with --timeout, or look again with `octopus operation show`."); }
            if (ctx.Json) ctx.Output.WriteJson(op);
            else ctx.Output.Write(Views.OperationDetails(op));
            return op.Status == "Failed" ? ExitCodes.Rejected : ExitCodes.Ok;
        });
        return command;
    }
}

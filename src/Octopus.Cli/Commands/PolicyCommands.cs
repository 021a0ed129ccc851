using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;
using Spectre.Console;

namespace Octopus.Cli.Commands;

/// <summary><c>policy create|list|show|enable|disable|delete|preview|history|templates</c>, and <c>vm lease|suspend|resume</c>
/// (added to the <c>vm</c> group). With <c>--json</c> each prints the API's answer.</summary>
internal static class PolicyCommands
{
    public static Command Build(CliGlobals g)
    {
        var policy = new Command("policy", "Policies: conditions and actions that govern VMs (preview before you trust one)");
        policy.Add(Create(g));
        policy.Add(List(g));
        policy.Add(Show(g));
        policy.Add(Toggle(g, "enable", "Enable a policy (it runs from now on)", true));
        policy.Add(Toggle(g, "disable", "Disable a policy (it stays stored and can be previewed)", false));
        policy.Add(Delete(g));
        policy.Add(Preview(g));
        policy.Add(History(g));
        policy.Add(Templates(g));
        return policy;
    }

    /// <summary>Adds <c>lease</c>, <c>suspend</c> and <c>resume</c> to the <c>vm</c> group.</summary>
    public static void AddVmCommands(Command vm, CliGlobals g)
    {
        var name = VmArgument();
        var extend = new Option<string>("--extend") { Description = "How much longer, e.g. 7d or 12h (within the administrator's maximum)", Required = true, HelpName = "DURATION" };
        var lease = new Command("lease", "Extend a VM's lease (VMs whose lease expires may be deleted by policy)") { name, extend };
        g.Action(lease, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var v = await client.Policies.ExtendLeaseAsync(parse.GetValue(name)!, parse.GetValue(extend)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(v);
            else ctx.Output.Note($"Lease of {v.Name} now ends {Format.Time(v.LeaseExpiresAt!.Value)}.");
            return ExitCodes.Ok;
        });
        vm.Add(lease);

        foreach (var (verb, help, resume) in new[] { ("suspend", "Suspend a running VM in place (no CPU used; resume continues it)", false),
                     ("resume", "Resume a suspended VM where it was", true) })
        {
            var arg = VmArgument();
            var command = new Command(verb, help) { arg };
            g.Action(command, async (ctx, parse, ct) =>
            {
                using var client = ctx.Connect();
                var v = resume ? await client.Policies.ResumeVmAsync(parse.GetValue(arg)!, ct) : await client.Policies.SuspendVmAsync(parse.GetValue(arg)!, ct);
                if (ctx.Json) ctx.Output.WriteJson(v);
                else ctx.Output.Note($"{v.Name}: {v.State}.");
                return ExitCodes.Ok;
            });
            vm.Add(command);
        }
    }

    private static Argument<string> VmArgument() => new("vm") { Description = "The VM's name or id", HelpName = "NAME|ID" };

    private static Argument<string> PolicyArgument() => new("name") { Description = "The policy's name", HelpName = "NAME" };

    private static Command Create(CliGlobals g)
    {
        var file = new Option<string>("--file", "-f") { Description = "The policy: YAML or JSON (admins: a #!csharp script); - reads standard input", Required = true, HelpName = "FILE" };
        var command = new Command("create", "Create (or replace) a policy from a file; see `octopus policy templates`") { file };
        g.Action(command, async (ctx, parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try { text = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.Usage($"cannot read {path}: {e.Message}", "Check the path; write - to read the policy from standard input.");
            }
            using var client = ctx.Connect();
            var p = await client.Policies.CreateAsync(text, ct);
            if (ctx.Json) ctx.Output.WriteJson(p);
            else ctx.Output.Note($"Created {p.Scope} policy {p.Name} ({(p.Enabled ? "enabled" : "disabled")}): {p.Trigger}. Try `octopus policy preview {p.Name}`.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliGlobals g)
    {
        var command = new Command("list", "List your policies (administrators: everyone's)");
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var list = await client.Policies.ListAsync(ct);
            if (ctx.Json) { ctx.Output.WriteJson(list); return ExitCodes.Ok; }
            var table = ctx.Output.NewTable("NAME", "OWNER", "SCOPE", "ENABLED", "TRIGGER", "ACTIONS", "LAST RUN", "NEXT RUN");
            foreach (var p in list)
                table.AddRow(E(p.Name), E(p.Owner), E(p.Scope + (p.IsScript ? " (C# script)" : "")), p.Enabled ? "yes" : "no", E(p.Trigger),
                    E(string.Join(", ", p.Actions)), p.LastRunAt is { } l ? Format.Time(l) : "-", p.NextRunAt is { } n ? Format.Time(n) : "-");
            ctx.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliGlobals g)
    {
        var name = PolicyArgument();
        var command = new Command("show", "Show a policy: its summary and its text") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var p = await client.Policies.GetAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) { ctx.Output.WriteJson(p); return ExitCodes.Ok; }
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string k, string v) => grid.AddRow(new Markup($"[bold]{k}[/]"), new Text(v));
            Row("Name", p.Name);
            Row("Owner", p.Owner);
            Row("Scope", p.Scope + (p.IsScript ? " (C# script, admin-only)" : ""));
            Row("Enabled", p.Enabled ? "yes" : "no");
            Row("Description", p.Description ?? "-");
            Row("Trigger", p.Trigger);
            Row("Condition", p.Condition);
            Row("Actions", string.Join(", ", p.Actions));
            Row("Last run", p.LastRunAt is { } l ? Format.Time(l) : "-");
            Row("Next run", p.NextRunAt is { } n ? Format.Time(n) : "-");
            ctx.Output.Write(grid);
            ctx.Output.Write(new Text("\n" + p.Document.TrimEnd() + "\n"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Toggle(CliGlobals g, string verb, string help, bool on)
    {
        var name = PolicyArgument();
        var command = new Command(verb, help) { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var p = on ? await client.Policies.EnableAsync(parse.GetValue(name)!, ct) : await client.Policies.DisableAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(p);
            else ctx.Output.Note($"Policy {p.Name} {(p.Enabled ? "enabled" : "disabled")}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliGlobals g)
    {
        var name = PolicyArgument();
        var command = new Command("delete", "Delete a policy (its history stays in the audit log)") { name };
        command.Aliases.Add("rm");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            await client.Policies.DeleteAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(new { policy = parse.GetValue(name), deleted = true });
            else ctx.Output.Note($"Deleted policy {parse.GetValue(name)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Preview(CliGlobals g)
    {
        var name = PolicyArgument();
        var command = new Command("preview", "Which VMs the policy would touch now, and why (changes nothing)") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var p = await client.Policies.PreviewAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) { ctx.Output.WriteJson(p); return ExitCodes.Ok; }
            if (p.Items.Count == 0) ctx.Output.Note($"Policy {p.Policy} would touch no VM now.");
            else
            {
                var table = ctx.Output.NewTable("VM", "ACTION", "TAKEN", "WHY");
                foreach (var i in p.Items)
                    table.AddRow(E(i.Vm), E(i.Action), i.Suppressed ? "no" : "yes", E(i.Suppressed ? $"{i.SuppressedBecause} ({i.Reason})" : i.Reason));
                ctx.Output.Write(table);
            }
            foreach (var problem in p.Problems) ctx.Output.Warning(problem);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command History(CliGlobals g)
    {
        var name = PolicyArgument();
        var command = new Command("history", "What the policy did, newest first (failures, retries and reasons)") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var h = await client.Policies.HistoryAsync(parse.GetValue(name)!, ct);
            if (ctx.Json) { ctx.Output.WriteJson(h); return ExitCodes.Ok; }
            if (h.Count == 0) { ctx.Output.Note($"Policy {parse.GetValue(name)} has not acted yet."); return ExitCodes.Ok; }
            var table = ctx.Output.NewTable("AT", "VM", "ACTION", "RESULT", "ATTEMPT", "WHY");
            foreach (var e in h)
                table.AddRow(Format.Time(e.At), E(e.Vm), E(e.Action), E(e.Error is null ? e.Result : $"{e.Result}: {e.Error}"),
                    e.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), E(e.Reason));
            ctx.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Templates(CliGlobals g)
    {
        var name = new Argument<string?>("name") { Description = "Print this template's text (save it, edit it, create it)", HelpName = "NAME", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("templates", "The shipped policy templates; with NAME, print one") { name };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var all = await client.Policies.TemplatesAsync(ct);
            if (parse.GetValue(name) is { } wanted)
            {
                var t = all.FirstOrDefault(t => t.Name == wanted)
                    ?? throw CliException.Usage($"there is no template '{wanted}'.", $"Templates: {string.Join(", ", all.Select(t => t.Name))}.");
                if (ctx.Json) ctx.Output.WriteJson(t);
                else ctx.Output.Write(new Text(t.Document));
                return ExitCodes.Ok;
            }
            if (ctx.Json) { ctx.Output.WriteJson(all); return ExitCodes.Ok; }
            var table = ctx.Output.NewTable("NAME", "DESCRIPTION");
            foreach (var t in all) table.AddRow(E(t.Name), E(t.Description));
            ctx.Output.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string E(string? s) => Markup.Escape(Format.OrDash(s));
}

using System.CommandLine;
using System.Globalization;
using Octopus.Cli.Infrastructure;
using Octopus.Client;
using Octopus.Contracts;
using Spectre.Console;

namespace Octopus.Cli.Commands;

/// <summary><c>vm rule add|list|remove</c>: a VM's security group. A VM receives new connections only as its rules
/// allow (none: nothing new reaches it; its own connections' replies always do; egress is open). On a running VM a
/// change is applied live; the command follows that operation unless <c>--no-wait</c>.</summary>
internal static class VmRuleCommands
{
    public static Command Build(CliGlobals g)
    {
        var rule = new Command("rule", "List, add and remove the VM's ingress rules (its security group)");
        rule.Add(Add(g));
        rule.Add(List(g));
        rule.Add(Remove(g));
        return rule;
    }

    private static Argument<string> VmArgument() => new("vm") { Description = "The VM's name or id", HelpName = "NAME|ID" };

    /// <summary>The rule options shared by add and remove: one protocol, and a source.</summary>
    private sealed record RuleOptions(Option<string?> Tcp, Option<string?> Udp, Option<bool> Icmp, Option<bool> Any, Option<string?> From)
    {
        public static RuleOptions Create() => new(
            new Option<string?>("--tcp") { Description = "Admit TCP to this port or LOW-HIGH range", HelpName = "PORT" },
            new Option<string?>("--udp") { Description = "Admit UDP to this port or LOW-HIGH range", HelpName = "PORT" },
            new Option<bool>("--icmp") { Description = "Admit ICMP (e.g. ping)" },
            new Option<bool>("--any") { Description = "Admit every protocol" },
            new Option<string?>("--from") { Description = "Only from this CIDR block or address (default: anywhere, 0.0.0.0/0)", HelpName = "CIDR" });

        public void AddTo(Command c)
        {
            c.Add(Tcp); c.Add(Udp); c.Add(Icmp); c.Add(Any); c.Add(From);
        }

        public bool AnyGiven(ParseResult p) => p.GetValue(Tcp) is not null || p.GetValue(Udp) is not null || p.GetValue(Icmp) || p.GetValue(Any);

        /// <summary>The request the options spell; exactly one protocol option is required.</summary>
        public SecurityRuleRequest Request(ParseResult p)
        {
            var given = new List<SecurityRuleRequest>();
            if (p.GetValue(Tcp) is { } tcp) given.Add(new("tcp", tcp));
            if (p.GetValue(Udp) is { } udp) given.Add(new("udp", udp));
            if (p.GetValue(Icmp)) given.Add(new("icmp"));
            if (p.GetValue(Any)) given.Add(new("any"));
            if (given.Count != 1)
                throw CliException.Usage("Give exactly one of --tcp PORT, --udp PORT, --icmp or --any.", "e.g. `octopus vm rule add web --tcp 22 --from 10.0.0.0/8`.");
            return given[0] with { Source = p.GetValue(From) };
        }
    }

    private static Command Add(CliGlobals g)
    {
        var vm = VmArgument();
        var options = RuleOptions.Create();
        var noWait = CommonOptions.NoWait();
        var command = new Command("add", "Admit new connections to the VM: one protocol (and port) from a source") { vm, noWait };
        options.AddTo(command);
        g.Action(command, async (ctx, parse, ct) =>
        {
            var request = options.Request(parse);
            using var client = ctx.Connect();
            var group = await client.Vms.AddRuleAsync(parse.GetValue(vm)!, request, ct);
            return await FinishAsync(ctx, client, group, parse.GetValue(noWait), $"Added {Describe(request.Protocol, request.Port, request.Source ?? "0.0.0.0/0")}", ct);
        });
        return command;
    }

    private static Command List(CliGlobals g)
    {
        var vm = VmArgument();
        var command = new Command("list", "List the VM's ingress rules") { vm };
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var group = await client.Vms.ListRulesAsync(parse.GetValue(vm)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(group);
            else if (group.Rules.Count == 0) ctx.Output.Note("No rules: the VM receives no new connections (replies to its own always pass).");
            else
            {
                var table = ctx.Output.NewTable("ID", "PROTOCOL", "PORT", "FROM");
                foreach (var r in group.Rules) table.AddRow(r.Id, r.Protocol, r.Port ?? "-", r.Source);
                ctx.Output.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliGlobals g)
    {
        var vm = VmArgument();
        var id = new Argument<string?>("rule") { Description = "The rule's id (see `vm rule list`); or name the rule with its options", HelpName = "ID", Arity = ArgumentArity.ZeroOrOne };
        var options = RuleOptions.Create();
        var noWait = CommonOptions.NoWait();
        var command = new Command("remove", "Remove one of the VM's ingress rules, by id or by its options") { vm, id, noWait };
        command.Aliases.Add("rm");
        options.AddTo(command);
        g.Action(command, async (ctx, parse, ct) =>
        {
            var name = parse.GetValue(vm)!;
            var ruleId = parse.GetValue(id);
            if ((ruleId is null) == !options.AnyGiven(parse) || (ruleId is not null && parse.GetValue(options.From) is not null))
                throw CliException.Usage("Name the rule either by its id or by its options (--tcp/--udp PORT, --icmp or --any, with --from).",
                    "e.g. `octopus vm rule remove web --tcp 22 --from 10.0.0.0/8`.");
            using var client = ctx.Connect();
            string what;
            if (ruleId is null)
            {
                var wanted = options.Request(parse);
                var current = await client.Vms.ListRulesAsync(name, ct);
                var source = wanted.Source ?? "0.0.0.0/0";
                var match = current.Rules.FirstOrDefault(r => r.Protocol == wanted.Protocol && r.Port == wanted.Port
                    && (r.Source == source || (source.Contains('/', StringComparison.Ordinal) ? false : r.Source == source + "/32")))
                    ?? throw CliException.Rejected($"VM {name} has no rule {Describe(wanted.Protocol, wanted.Port, source)}.", $"see its rules with `octopus vm rule list {name}`.");
                ruleId = match.Id;
                what = Describe(match.Protocol, match.Port, match.Source);
            }
            else what = $"rule {ruleId}";
            var group = await client.Vms.RemoveRuleAsync(name, ruleId, ct);
            return await FinishAsync(ctx, client, group, parse.GetValue(noWait), $"Removed {what}", ct);
        });
        return command;
    }

    private static string Describe(string protocol, string? port, string source) =>
        $"{protocol}{(port is null ? "" : " " + port)} from {source}";

    /// <summary>Follows the operation applying the change on the VM's host (if any) and says what happened.</summary>
    private static async Task<int> FinishAsync(CliContext ctx, OctopusClient client, SecurityGroupDto group, bool noWait, string done, CancellationToken ct)
    {
        OperationDto? op = null;
        if (group.Operation is { } id && !noWait) op = await client.Operations.WaitAsync(id, TimeSpan.FromMinutes(2), ct);
        if (ctx.Json) ctx.Output.WriteJson(group);
        else
        {
            var where = group.Operation is null ? "; the VM takes it when it next starts"
                : op is null ? $"; operation {group.Operation} applies it on the VM's host"
                : op.Status == "Succeeded" ? "; applied on the VM's host" : $"; applying it on the VM's host failed: {op.Error}";
            ctx.Output.Note(string.Create(CultureInfo.InvariantCulture, $"{done}{where} ({group.Rules.Count} rule(s) now)."));
        }
        return op is { Status: "Failed" } ? ExitCodes.Rejected : ExitCodes.Ok;
    }
}

using System.CommandLine;
using System.Globalization;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary><c>plan</c>, <c>plan apply</c>, <c>plan mode</c>: what the consolidation engine proposes now (migrations and
/// host power actions, each with its reason), applying it, and whether it applies itself (admins only).</summary>
internal static class PlanCommands
{
    public static Command Build(CliGlobals g)
    {
        var plan = new Command("plan", "Show what the consolidation engine would do now: migrations and host power actions, with reasons (admins)");
        g.Action(plan, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            Show(ctx, await client.Plan.GetAsync(ct));
            return ExitCodes.Ok;
        });

        var apply = new Command("apply", "Compute the plan now and carry it out (each step starts or says why it was skipped)");
        g.Action(apply, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            Show(ctx, await client.Plan.ApplyAsync(ct));
            return ExitCodes.Ok;
        });
        plan.Add(apply);

        var mode = new Argument<string?>("mode")
        {
            Description = "automatic (apply every interval), manual (propose only), off; omit to show the current mode",
            HelpName = "automatic|manual|off",
            Arity = ArgumentArity.ZeroOrOne,
        };
        mode.AcceptOnlyFromAmong("automatic", "manual", "off");
        var modeCommand = new Command("mode", "Show or set how plans are used: automatic, manual or off") { mode };
        g.Action(modeCommand, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var wanted = parse.GetValue(mode);
            var now = wanted is null ? await client.Plan.GetModeAsync(ct) : await client.Plan.SetModeAsync(wanted, ct);
            if (ctx.Json) ctx.Output.WriteJson(new PlanModeRequest(now));
            else ctx.Output.Note($"consolidation mode: {now}");
            return ExitCodes.Ok;
        });
        plan.Add(modeCommand);
        return plan;
    }

    private static void Show(CliContext ctx, PlanDto plan)
    {
        if (ctx.Json)
        {
            ctx.Output.WriteJson(plan);
            return;
        }
        ctx.Output.Note(string.Create(CultureInfo.InvariantCulture,
            $"{plan.Policy} plan ({plan.Mode} mode), cluster now {plan.ClusterWatts:0} W: {plan.Summary}"));
        if (plan.Steps.Count > 0) ctx.Output.Write(Views.PlanTable(ctx.Output, plan));
    }
}

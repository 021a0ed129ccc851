using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary>Read-only views of the installation: <c>audit</c>, <c>image list</c>, <c>health</c>, <c>status</c>.</summary>
internal static class InfoCommands
{
    public static IEnumerable<Command> Build(CliGlobals g) => [Audit(g), Images(g), Health(g), Status(g)];

    private static Command Status(CliGlobals g)
    {
        var command = new Command("status", "Show the control plane: the server replicas, which one leads, its term and since when (admin)");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var cluster = await client.GetClusterAsync(ct);
            if (ctx.Json) ctx.Output.WriteJson(cluster);
            else ctx.Output.Write(Views.Cluster(ctx.Output, cluster));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Audit(CliGlobals g)
    {
        var limit = new Option<int>("--limit", "-n")
        {
            Description = "How many entries, newest first",
            HelpName = "N",
            DefaultValueFactory = _ => 20,
        };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--limit must be at least 1.");
        });
        var command = new Command("audit", "Show the audit log: who did what, when, and how it ended") { limit };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var n = parse.GetValue(limit);
            var entries = new List<AuditEntryDto>(Math.Min(n, 1000));
            // Ask for pages no bigger than needed, and stop reading (so stop fetching) once we have n.
            await foreach (var e in client.Audit.ListAsync(pageSize: Math.Min(n, 200), ct))
            {
                entries.Add(e);
                if (entries.Count >= n) break;
            }
            if (ctx.Json) ctx.Output.WriteJson(entries);
            else if (entries.Count == 0) ctx.Output.Note("The audit log is empty.");
            else ctx.Output.Write(Views.AuditTable(ctx.Output, entries));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Images(CliGlobals g)
    {
        var image = new Command("image", "Images VMs can be created from");
        var list = new Command("list", "List images");
        list.Aliases.Add("ls");
        g.Action(list, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var images = await client.Images.ListAsync(ct);
            if (ctx.Json) ctx.Output.WriteJson(images);
            else ctx.Output.Write(Views.ImageTable(ctx.Output, images));
            return ExitCodes.Ok;
        });
        image.Add(list);
        DiskCommands.AddImageCommands(image, g);
        return image;
    }

    private static Command Health(CliGlobals g)
    {
        var command = new Command("health", "Check that the server answers (needs no login)");
        g.Action(command, async (ctx, _, ct) =>
        {
            var url = ctx.ResolveUrl();
            using var client = ctx.ConnectAnonymous(url);
            var health = await client.GetHealthAsync(ct);
            if (ctx.Json) ctx.Output.WriteJson(health);
            else ctx.Output.Write(Views.Health(url, health));
            return ExitCodes.Ok;
        });
        return command;
    }
}

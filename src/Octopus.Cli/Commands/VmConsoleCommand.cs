using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Client;

namespace Octopus.Cli.Commands;

/// <summary><c>vm console VM [--bytes N] [--follow]</c>: prints the tail of the VM's serial console; with
/// <c>--follow</c> keeps printing what the guest writes until interrupted (Ctrl+C) or the VM is deleted.</summary>
internal static class VmConsoleCommand
{
    public static Command Build(CliGlobals g)
    {
        var vm = new Argument<string>("vm") { Description = "The VM's name or id", HelpName = "NAME|ID" };
        var bytes = new Option<int?>("--bytes") { Description = "How much of the end of the console to show (default 16384, at most 1048576)", HelpName = "N" };
        bytes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } n && (n < 1 || n > 1024 * 1024)) r.AddError("--bytes must be between 1 and 1048576.");
        });
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until interrupted (Ctrl+C)" };
        var command = new Command("console", "Show the VM's serial console output (owner or admin)") { vm, bytes, follow };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var name = parse.GetValue(vm)!;
            var first = await client.Vms.GetConsoleAsync(name, parse.GetValue(bytes), ct);
            if (ctx.Json && !parse.GetValue(follow))
            {
                ctx.Output.WriteJson(first);
                return ExitCodes.Ok;
            }
            Print(ctx, first.Text);
            if (!parse.GetValue(follow)) return ExitCodes.Ok;
            await FollowAsync(ctx, client, name, first.Text, ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Polls the console's tail and prints what was appended since the last reading: the new text is what
    /// follows the longest suffix of the old reading that the new one starts with.</summary>
    private static async Task FollowAsync(CliContext ctx, OctopusClient client, string vm, string seen, CancellationToken ct)
    {
        const int Window = 64 * 1024;
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), ct); }
            catch (OperationCanceledException) { return; }
            Contracts.VmConsoleDto now;
            try { now = await client.Vms.GetConsoleAsync(vm, Window, ct); }
            catch (OperationCanceledException) { return; }
            catch (OctopusApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound) { return; }
            Print(ctx, Appended(seen, now.Text));
            seen = now.Text;
        }
    }

    internal static string Appended(string before, string after)
    {
        if (after.StartsWith(before, StringComparison.Ordinal)) return after[before.Length..];
        // The window moved (old bytes dropped off the front): find where the old tail ends in the new text.
        for (var keep = Math.Min(before.Length, after.Length); keep > 0; keep--)
        {
            if (after.AsSpan(0, keep).SequenceEqual(before.AsSpan(before.Length - keep))) return after[keep..];
        }
        return after;
    }

    /// <summary>Writes guest output with control characters (escape sequences a guest could aim at the terminal) shown as '?'.</summary>
    private static void Print(CliContext ctx, string text)
    {
        if (text.Length == 0) return;
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var clean = string.Create(text.Length, text, (span, t) =>
        {
            for (var i = 0; i < t.Length; i++) span[i] = t[i] is '\n' or '\t' || !char.IsControl(t[i]) ? t[i] : '?';
        });
        ctx.Host.Out.Write(clean);
        ctx.Host.Out.Flush();
    }
}

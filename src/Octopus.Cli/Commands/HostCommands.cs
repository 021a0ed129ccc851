using System.CommandLine;
using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;

namespace Octopus.Cli.Commands;

/// <summary><c>host list|show|maintenance</c>: the compute nodes, their power state, load and VMs.</summary>
internal static class HostCommands
{
    public static Command Build(CliGlobals g)
    {
        var host = new Command("host", "Inspect compute nodes and put them into maintenance");
        host.Add(List(g));
        host.Add(Show(g));
        host.Add(Maintenance(g));
        host.Add(Power(g));
        host.Add(PowerConfig(g));
        return host;
    }

    private static Argument<string> HostArgument() => new("host") { Description = "The host's name or id", HelpName = "NAME" };

    private static Command List(CliGlobals g)
    {
        var command = new Command("list", "List hosts: power state, allocation, load, power draw, VMs");
        command.Aliases.Add("ls");
        g.Action(command, async (ctx, _, ct) =>
        {
            using var client = ctx.Connect();
            var hosts = new List<HostDto>();
            await foreach (var h in client.Hosts.ListAsync(ct: ct)) hosts.Add(h);
            if (ctx.Json) ctx.Output.WriteJson(hosts);
            else if (hosts.Count == 0) ctx.Output.Note("No hosts.");
            else ctx.Output.Write(Views.HostTable(ctx.Output, hosts));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliGlobals g)
    {
        var host = HostArgument();
        var command = new Command("show", "Show one host in detail, with its VMs") { host };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var dto = await client.Hosts.GetAsync(parse.GetValue(host)!, ct);
            if (ctx.Json) ctx.Output.WriteJson(dto);
            else ctx.Output.Write(Views.HostDetails(dto));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Maintenance(CliGlobals g)
    {
        var host = HostArgument();
        var mode = new Argument<string>("mode") { Description = "on: place nothing new here; off: back in service", HelpName = "on|off" };
        mode.AcceptOnlyFromAmong("on", "off");
        var command = new Command("maintenance", "Put a host into maintenance (on) or back into service (off); admins only") { host, mode };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var enabled = string.Equals(parse.GetValue(mode), "on", StringComparison.OrdinalIgnoreCase);
            var dto = await client.Hosts.SetMaintenanceAsync(parse.GetValue(host)!, enabled, ct);
            if (ctx.Json) ctx.Output.WriteJson(dto);
            else ctx.Output.Note(dto.Maintenance ? $"{dto.Name} is in maintenance: no new VMs will be placed on it." : $"{dto.Name} is back in service.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Power(CliGlobals g)
    {
        var host = HostArgument();
        var mode = new Argument<string>("state") { Description = "on: power the host up; off: power an empty host down", HelpName = "on|off" };
        mode.AcceptOnlyFromAmong("on", "off");
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.Timeout();
        var command = new Command("power", "Power a host on or off (admins only); an occupied host cannot be powered off")
        {
            host, mode, noWait, timeout,
        };
        g.Action(command, async (ctx, parse, ct) =>
        {
            using var client = ctx.Connect();
            var on = string.Equals(parse.GetValue(mode), "on", StringComparison.OrdinalIgnoreCase);
            var name = parse.GetValue(host)!;
            var accepted = on ? await client.Hosts.PowerOnAsync(name, ct) : await client.Hosts.PowerOffAsync(name, ct);
            var final = parse.GetValue(noWait)
                ? accepted
                : await OperationProgress.WaitAsync(ctx.Output, client, accepted, on ? "Powering on" : "Powering off",
                    h => !Client.HostOperations.IsTransitional(h), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            if (ctx.Json)
            {
                ctx.Output.WriteJson(final);
                return ExitCodes.Ok;
            }
            // A failed power-on leaves the host Failed, a failed power-off leaves it On; the operation says why.
            var failed = final.PowerState == "Failed" || (Client.HostOperations.IsTransitional(accepted) && final.PowerOperation is { Status: "Failed" });
            if (failed)
                throw CliException.Rejected($"host {final.Name} failed to power {(on ? "on" : "off")}{(final.PowerOperation?.Error is { } why ? ": " + why : ".")}");
            ctx.Output.Note($"{final.Name}: {final.PowerState}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command PowerConfig(CliGlobals g)
    {
        var host = HostArgument();
        var method = new Option<string>("--method") { Description = "How the host is switched", HelpName = "ipmi|redfish|wol|agent|simulated", Required = true };
        method.AcceptOnlyFromAmong("ipmi", "redfish", "wol", "agent", "simulated");
        var address = new Option<string?>("--address") { Description = "The BMC's address (redfish: or an https:// URL); for wol the broadcast address", HelpName = "ADDRESS" };
        var port = new Option<int?>("--port") { Description = "The BMC's port (ipmi 623, redfish 443); for wol the UDP port (9)", HelpName = "PORT" };
        var user = new Option<string?>("--user") { Description = "The BMC account", HelpName = "USER" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the BMC password from the first line of stdin (it is stored sealed, never shown)" };
        var mac = new Option<string?>("--mac") { Description = "The host's MAC for Wake-on-LAN", HelpName = "aa:bb:cc:dd:ee:ff" };
        var fallback = new Option<string?>("--fallback") { Description = "Methods to try in order when the first fails, comma-separated", HelpName = "wol,agent" };
        var fingerprint = new Option<string?>("--tls-fingerprint")
        {
            Description = "Redfish: trust exactly the BMC certificate with this SHA-256 fingerprint (self-signed BMCs); \"\" clears it",
            HelpName = "AB:CD:…",
        };
        var caFile = new Option<FileInfo?>("--ca-file") { Description = "Redfish: a PEM file with the CA the BMC's certificate must chain to", HelpName = "FILE" };
        var command = new Command("power-config", "Set how a host is powered on and off (admins only): IPMI, Redfish, Wake-on-LAN, agent")
        {
            host, method, address, port, user, passwordStdin, mac, fallback, fingerprint, caFile,
        };
        g.Action(command, async (ctx, parse, ct) =>
        {
            string? password = null;
            if (parse.GetValue(passwordStdin))
            {
                password = ctx.Host.In.ReadLine();
                if (string.IsNullOrEmpty(password)) throw CliException.Usage("--password-stdin was given but stdin was empty.");
            }
            var fallbacks = parse.GetValue(fallback)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string? ca = null;
            if (parse.GetValue(caFile) is { } file)
            {
                if (!file.Exists) throw CliException.Usage($"--ca-file {file.FullName} does not exist; give the PEM file of the CA that signed the BMC's certificate.");
                if (file.Length > 16 * 1024) throw CliException.Usage($"--ca-file {file.FullName} is {file.Length} bytes; give one PEM certificate (at most 16 KiB).");
                ca = await File.ReadAllTextAsync(file.FullName, ct);
            }
            var request = new HostPowerConfigRequest(parse.GetValue(method), parse.GetValue(address), parse.GetValue(port), parse.GetValue(user),
                password, parse.GetValue(mac), fallbacks, parse.GetValue(fingerprint), ca);
            using var client = ctx.Connect();
            var dto = await client.Hosts.SetPowerConfigAsync(parse.GetValue(host)!, request, ct);
            if (ctx.Json) ctx.Output.WriteJson(dto);
            else ctx.Output.Note($"{dto.Name}: {Describe(dto.PowerConfig)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>"ipmi at 10.0.0.5:623 as admin (password stored), then wol" — never the password itself.</summary>
    internal static string Describe(HostPowerConfigDto? c)
    {
        if (c is null) return "power not configured";
        var text = c.Method;
        if (c.Address is not null) text += $" at {c.Address}{(c.Port is null ? "" : ":" + c.Port)}";
        if (c.User is not null) text += $" as {c.User}{(c.HasPassword ? " (password stored)" : "")}";
        if (c.TlsFingerprint is not null) text += $", certificate pinned to {c.TlsFingerprint}";
        if (c.CaSubject is not null) text += $", certificate checked against CA {c.CaSubject}";
        if (c.Mac is not null) text += $", MAC {c.Mac}";
        if (c.Fallback.Count > 0) text += ", then " + string.Join(", ", c.Fallback);
        return text;
    }
}
